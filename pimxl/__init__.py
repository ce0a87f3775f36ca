"""pimxl — 客户服务中心项目工作簿工具.

Standard Excel templates for integration projects, declared once as data (``pimxl.templates``),
with validation, merge and the weekly centre-wide rollup built on the same declarations.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
