"""Messaging-channel connectors for the TTPS assistant.

Thin subclasses of Rasa 3.6's own connectors, named in ``credentials.yml`` by class path:

* ``channels.telegram.TTPSTelegramInput``  - /webhooks/telegram/webhook
* ``channels.twilio.TTPSTwilioInput``      - /webhooks/twilio/webhook (SMS and WhatsApp)
* ``channels.slack.TTPSSlackInput``        - /webhooks/slack/webhook
* ``channels.facebook.TTPSFacebookInput``  - /webhooks/facebook/webhook
* ``channels.wechat.TTPSWeChatInput``      - /webhooks/wechat/webhook (WeChat Official Account;
  built on wechatpy, not a Rasa connector)

They only change how replies look in each channel (formatting, splitting, buttons, the result-card
payload); what the assistant says is decided by the actions. ``formatting``, ``buttons`` and
``i18n`` (the channels' own sentences, from ``locales/``, in the person's language) are plain
Python with no Rasa import, so they can be unit-tested quickly.

Importing the package installs ``log_privacy``: the Rasa server's logs at INFO and above carry no
message text, slot values, API tokens or telephone numbers (see that module); and
``action_results``: Rasa checks each answer of the action server against its schema compiled
once, not rebuilt on every call (see that module: it was most of the Rasa server's CPU time).
"""
from . import action_results, log_privacy

log_privacy.install()
action_results.install()
