"""The questions of each survey kind, defined once: ``Survey.copy_questions`` copies them as
``SurveyQuestion`` rows onto each new survey, so editing a definition here changes only the
surveys created afterwards.

NPS: likelihood to recommend (0-10) and the reason. CSAT: satisfaction (1-5) and comments.
Project completion: ratings (1-5) of the candidates' quality, communication and speed, overall
satisfaction (1-5, the CSAT figure), the recommend question (0-10, the NPS figure), comments.
"""

from __future__ import annotations

from dataclasses import dataclass

SURVEY_KINDS = ("nps", "csat", "project_completion")
KIND_LABELS = {
    "nps": "Net Promoter Score",
    "csat": "Customer satisfaction",
    "project_completion": "Project completion",
}
ANSWER_TYPES = ("scale", "text")
MEASURES = ("nps", "csat")
TEXT_MAX = 5000


@dataclass(frozen=True)
class QuestionDef:
    """One question of a kind: a scale from ``low`` to ``high`` or free text.

    ``measure`` names the figure the answer feeds (``nps``: 0 to 10, ``csat``: 1 to 5).
    """

    key: str
    text: str
    answer_type: str = "scale"
    low: int | None = None
    high: int | None = None
    required: bool = True
    measure: str | None = None
    low_label: str | None = None
    high_label: str | None = None


RECOMMEND = QuestionDef(
    "recommend",
    "How likely are you to recommend us to a friend or colleague?",
    low=0,
    high=10,
    measure="nps",
    low_label="Not at all likely",
    high_label="Extremely likely",
)


def _rating(key: str, text: str, measure: str | None = None) -> QuestionDef:
    return QuestionDef(
        key, text, low=1, high=5, measure=measure, low_label="Very poor", high_label="Excellent"
    )


QUESTION_SETS: dict[str, tuple[QuestionDef, ...]] = {
    "nps": (
        RECOMMEND,
        QuestionDef("reason", "What is the main reason for your score?", "text", required=False),
    ),
    "csat": (
        QuestionDef(
            "satisfaction",
            "Overall, how satisfied are you with our service?",
            low=1,
            high=5,
            measure="csat",
            low_label="Very dissatisfied",
            high_label="Very satisfied",
        ),
        QuestionDef("comments", "Anything you would like to tell us?", "text", required=False),
    ),
    "project_completion": (
        _rating("quality", "Quality of the candidates presented"),
        _rating("communication", "Communication with our team"),
        _rating("speed", "Speed of the search"),
        QuestionDef(
            "overall",
            "Overall, how satisfied are you with this project?",
            low=1,
            high=5,
            measure="csat",
            low_label="Very dissatisfied",
            high_label="Very satisfied",
        ),
        RECOMMEND,
        QuestionDef("comments", "What could we have done better?", "text", required=False),
    ),
}
