"""A model's life: train it, evaluate it, publish it with its content, roll it back."""
