"""Live human handoff: escalations, their queues, agent presence, the event bus and Rasa's HTTP API."""
