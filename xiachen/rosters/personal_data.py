from xiachen.core.personal_data import declare_not_personal

declare_not_personal("rosters.ShiftTemplate", {"name": "班次名称（如“早班”），组织信息"})
declare_not_personal("rosters.PostSite", {
    "latitude": "岗位（卡口、小区门）的位置，由管理员设定，不是个人的位置",
    "longitude": "岗位（卡口、小区门）的位置，由管理员设定，不是个人的位置",
})
