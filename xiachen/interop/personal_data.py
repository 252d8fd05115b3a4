from xiachen.core.personal_data import declare_not_personal

declare_not_personal("interop.WebhookEndpoint", {"secret": "签名密钥：机密，不涉及个人", "name": "对接系统名称"})
declare_not_personal("interop.ApiToken", {"name": "对接系统名称"})
