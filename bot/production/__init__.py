"""The production topology on one machine: several Rasa servers behind HAProxy, with the action server, the
web server and the event consumer, on PostgreSQL, Redis and RabbitMQ (`python -m bot run --production`)."""
