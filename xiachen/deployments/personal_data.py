from xiachen.core.personal_data import declare_not_personal

declare_not_personal("deployments.PostType", {"name_zh": "词表", "name_en": "词表"})
declare_not_personal("deployments.Demand", {"latitude": "岗位所在地，组织信息", "longitude": "岗位所在地，组织信息"})
declare_not_personal("deployments.Round", {"name": "轮次名称"})
