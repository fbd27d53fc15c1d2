"""Benchmark suites for keyword tagging: run, measure and compare backbones and training modes.

Entry points: `electra_rtd.evaluation.harness.evaluate` (what evaluate.py runs) and the modules it
uses. Nothing is imported here, so the inference-measuring child process starts lean.
"""
