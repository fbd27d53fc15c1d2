# Two entry points: `make run` (embedded default pretraining) and `make test`.
# Each creates .venv on first use. TORCH picks the PyTorch build: the default installs the
# CPU wheel that lies on this project's machines; on an NVIDIA machine use `make run TORCH=torch`
# (PyPI's Linux wheel is the CUDA build) or a wheel from https://download.pytorch.org/whl/.
VENV ?= .venv
PY := $(VENV)/bin/python
TORCH ?= torch==2.13.0
EXPERIMENT ?= rtd_pretrain

.PHONY: run test lint format clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q "$(TORCH)"
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

run: $(VENV)/.installed
	$(PY) train.py +experiment=$(EXPERIMENT)

test: $(VENV)/.installed
	HF_HUB_OFFLINE=1 WANDB_MODE=disabled $(VENV)/bin/pytest -q

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) outputs multirun wandb
