from xiachen.core.personal_data import declare_not_personal

declare_not_personal("interop.WebhookEndpoint", {"secret": "签名密钥：机密，不涉及个人"})
