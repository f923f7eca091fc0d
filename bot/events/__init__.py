"""Rasa's event stream (RabbitMQ) turned into the product's analytics, inbox and escalation history."""
