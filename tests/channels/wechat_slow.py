"""The WeChat connector under a second name, for the end-to-end tests: the same class with a
passive timeout of a few milliseconds, so every answer takes the customer-service API path
(``/webhooks/wechat_slow/webhook``). The Rasa server under test imports it from tests/channels."""
from channels.wechat import TTPSWeChatInput


class SlowWeChatInput(TTPSWeChatInput):
    @classmethod
    def name(cls) -> str:
        return "wechat_slow"
