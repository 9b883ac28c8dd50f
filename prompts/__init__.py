"""Prompt templates, shipped as package data (read by qa.answer.prompts)."""
