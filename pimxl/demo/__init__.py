"""``pimxl demo``: a realistic sample centre, built from the templates and rolled up over two weeks."""
