"""Policy documents and feedback for the policies tests and the permission matrix."""

from datetime import date

from xiachen.policies.services import add_version, create_document, file_feedback


def make_document(tree, people, number="武审〔2020〕12号"):
    document = create_document(by=people.liaison1, title="下沉干部通行管理办法", issuing_agency=tree.agency1,
                               document_number=number)
    version = add_version(by=people.liaison1, document=document, effective_from=date(2026, 1, 5),
                          text="第一条 下沉干部凭工作证通行。")
    return document, version


def make_feedback(version, author, today=date(2026, 1, 5)):
    return file_feedback(by=author, version=version, problem="夜间卡口无法核验工作证", where_seen="车站路小区东门",
                         suggestion="增加二维码核验", today=today)
