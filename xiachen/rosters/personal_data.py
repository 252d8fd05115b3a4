from xiachen.core.personal_data import declare_not_personal

declare_not_personal("rosters.ShiftTemplate", {"name": "班次名称（如“早班”），组织信息"})
