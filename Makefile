# The two Quick start commands. Each sets itself up on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: demo test lint install clean messages compile-messages

demo: $(VENV)/.installed
	$(BIN)/flipside demo $(ARGS)

test: $(VENV)/.installed
	$(BIN)/python -m pytest $(ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check plugin tests bench migrations
	$(BIN)/ruff format --check plugin tests bench migrations

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Flipside needs Python 3.11 or newer (found %d.%d): set PYTHON=python3.11" % sys.version_info[:2])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $@

# Translations (Flask-Babel): `make messages` extracts every marked string from plugin/ into the template
# and merges it into each locale's catalogue (printing how much of each is translated); fill the new empty
# msgstr entries in plugin/translations/*/LC_MESSAGES/messages.po, then `make compile-messages` writes the
# .mo files the app loads. Both are committed, so a clean clone and `pip install .` have them.
messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k N_ -k lazy_gettext --no-location --sort-output --project Flipside \
		-o plugin/translations/messages.pot .
	$(BIN)/pybabel -q update -i plugin/translations/messages.pot -d plugin/translations \
		--ignore-obsolete --no-fuzzy-matching -w 120
	$(BIN)/pybabel compile -d plugin/translations --statistics

compile-messages: $(VENV)/.installed
	$(BIN)/pybabel compile -d plugin/translations --statistics

clean:
	rm -rf $(VENV) instance .pytest_cache
