# Messaging channels: Telegram, Twilio (SMS and WhatsApp), Slack, Facebook Messenger, WeChat.
# Connectors in channels/, credentials in credentials.yml (channels commented out) and
# credentials.channels.yml (channels on), guide in docs/channels.md. Included by the main Makefile
# after it defines RASA_ENV and MODEL (`include channels.mk`); on its own:
# `make -f Makefile -f channels.mk test-channels`.
#
#   make test-channels   unit tests of the connectors, then end to end: a real Rasa server and
#                        action server, each platform's webhook posted in its own format, replies
#                        captured by a local fake of the platform API (127.0.0.1 only)
#   make run-channels    like `make run`, with credentials.channels.yml: export the variables it
#                        names first (docs/channels.md) and expose the port over public HTTPS

.PHONY: test-channels test-channels-unit run-channels

test-channels: setup train
	MODEL=$(MODEL) $(RASA_ENV)/bin/python -m pytest tests/channels -q

# The quick part alone (no model, no servers): formatting, buttons, credentials, connectors.
test-channels-unit: setup-rasa
	$(RASA_ENV)/bin/python -m pytest tests/channels -q --ignore=tests/channels/test_channels_e2e.py

# scripts/serve.sh reads the credentials file from CREDENTIALS (default credentials.yml).
run-channels: setup train
	CREDENTIALS=credentials.channels.yml RASA_ENABLE_API=0 scripts/serve.sh $(MODEL)
