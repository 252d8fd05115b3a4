from xiachen.core.personal_data import LegalBasis, PersonalField, Sensitivity, register

# What a cadre or community worker saw on the ground: free text and photos may name or show residents,
# places and the author's whereabouts. Needed to answer the item and improve the policy; kept three
# years after filing so later versions can still cite it.
_feedback = PersonalField("政策执行问题反馈、答复与修订", LegalBasis.DUTY, Sensitivity.GENERAL, 3 * 365)
# Photos can show faces and house numbers: shown only to the author, the owning liaison and the
# organization department (selectors.sees_author), kept one year.
_photo = PersonalField("佐证政策执行问题", LegalBasis.DUTY, Sensitivity.GENERAL, 365)

register("policies.FeedbackItem", {
    "author": _feedback, "author_role": _feedback, "problem": _feedback, "where_seen": _feedback,
    "suggestion": _feedback, "answer": _feedback,
})
register("policies.FeedbackPhoto", {"image": _photo})
