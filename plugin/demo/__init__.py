"""`flipside demo` (plugin.demo.walkthrough) and the synthetic data it plays with (countries, workforce).

Kept free of imports so that synthetic-data modules can be imported without loading the whole app.
"""
