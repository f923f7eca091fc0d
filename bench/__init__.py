"""Benchmarks; each writes bench/results/<name>.json and prints a Markdown table for the README."""
