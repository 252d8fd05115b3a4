from xiachen.core.personal_data import LegalBasis, PersonalField, Sensitivity, declare_not_personal, register

# A cadre's evaluation, score and grade feed the home agency's annual assessment (personnel records):
# kept as long as the cadre's service records are.
_assessment = PersonalField("下沉干部考核、排名与表彰", LegalBasis.EMPLOYMENT, Sensitivity.GENERAL, None)
# An appeal's reason and answer may describe the cadre's circumstances (illness, family).
_appeal = PersonalField("考核申诉与答复", LegalBasis.EMPLOYMENT, Sensitivity.GENERAL, None)
# A generated report lists cadres' names, agencies, scores and grades; regenerated on demand, so
# the stored file is only needed briefly.
_report = PersonalField("考核报告导出", LegalBasis.EMPLOYMENT, Sensitivity.GENERAL, 30)

register("assessments.Evaluation", {"comments": _assessment})
register("assessments.DimensionScore", {"score": _assessment})
register("assessments.Score", {"total": _assessment, "breakdown": _assessment, "grade": _assessment,
                               "rank_agency": _assessment, "rank_city": _assessment})
register("assessments.Appeal", {"reason": _appeal, "answer": _appeal})
register("assessments.ReportJob", {"content": _report})
declare_not_personal("assessments.Dimension", {"name_zh": "词表", "name_en": "词表"})
declare_not_personal("assessments.Grade", {"name_zh": "词表", "name_en": "词表"})
declare_not_personal("assessments.Scheme", {"name": "计分方案名称"})
declare_not_personal("assessments.ReportJob", {"filename": "固定的文件名（assessment-report.xlsx / .pdf）"})
