"""What the attempt and review pages show of each question, in one language.

Pages never see option ids: choices carry the positional form keys (``o1``, ``i1``, ``r1``) of
:meth:`QuestionInstance.choices`, and saved answers are turned back into those keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from trainer.content.source import pick
from trainer.quiz.answer_shapes import AnswerError, answer_to_form
from trainer.quiz.bank.model import Question
from trainer.quiz.bank.short_match import model_answer
from trainer.quiz.grading import Grade, format_expected, instance_text
from trainer.quiz.instances import QuestionInstance
from trainer.quiz.models import Attempt
from trainer.quiz.services.attempts import saved_answers
from trainer.quiz.services.common import banks
from trainer.quiz.services.documents import DocumentReview, DocumentView, document_review, document_view
from trainer.quiz.services.scoring import grade_instance, instances_of


@dataclass(frozen=True)
class Choice:
    key: str
    text: str


@dataclass(frozen=True)
class ReviewLine:
    """One option / item / prompt of the review."""

    label: str
    correct: bool
    given: str | None = None  # ordering: position given; matching: answer chosen
    expected: str | None = None  # ordering: right position; matching: right answer
    ticked: bool | None = None  # single/multi: the trainee ticked it
    should: bool | None = None  # single/multi: it is a right option
    feedback: str | None = None


@dataclass(frozen=True)
class ReviewView:
    score: float
    max_score: float
    correct: bool
    answered: bool
    lines: list[ReviewLine] = field(default_factory=list)
    given_text: str | None = None  # true/false and numbers
    expected_text: str | None = None
    tolerance: str | None = None
    correct_order: list[str] = field(default_factory=list)
    feedback: list[str] = field(default_factory=list)
    explanation: str = ""
    multiple: bool = False  # several options may be ticked (multi)
    in_order: int = 0  # ordering: items in the longest run in the right relative order (the partial credit)
    document: DocumentReview | None = None  # document: the per-line feedback


@dataclass
class QuestionView:
    question_id: str
    number: int
    type: str
    text: str
    mark: float
    unit: str = ""
    choices: list[Choice] = field(default_factory=list)
    prompts: list[Choice] = field(default_factory=list)  # matching: key = prompt pair id
    positions: list[int] = field(default_factory=list)  # ordering: 1..n
    value: Any = None  # the form value to show (saved or just posted)
    error: object | None = None
    checked: bool = False
    review: ReviewView | None = None
    missing: bool = False  # the question left the banks after the attempt was drawn
    retired: bool = False  # retired after the attempt was drawn: still graded and shown, marked
    document: DocumentView | None = None  # document: the document and its answer controls

    def selected(self, key: str) -> bool:
        """Whether a radio/checkbox with this key is selected."""
        if isinstance(self.value, list):
            return key in self.value
        return self.value == key

    def at(self, index: int) -> str:
        """Ordering: the key chosen for position ``index`` (1-based)."""
        if isinstance(self.value, list) and 0 < index <= len(self.value):
            return str(self.value[index - 1] or "")
        return ""

    def matched(self, prompt_id: str) -> str:
        if isinstance(self.value, Mapping):
            return str(self.value.get(prompt_id) or "")
        return ""


def _yes_no(value: Any, labels: Mapping[bool, str]) -> str | None:
    return None if value is None else labels[bool(value)]


def review_of(
    question: Question, instance: QuestionInstance, result: Grade, lang: str, tf_labels: Mapping[bool, str]
) -> ReviewView:
    """The review of one graded answer: what was right and wrong, feedback and explanation."""
    qtype = question.type
    lines: list[ReviewLine] = []
    given_text = expected_text = tolerance = None
    correct_order: list[str] = []
    in_order = 0
    feedback = [pick(f, lang) for f in result.feedback]
    document = document_review(question.document, result, lang) if question.document else None
    if qtype in ("single", "multi"):
        for part in result.parts:
            option = question.option(part.id)
            lines.append(
                ReviewLine(
                    label=pick(option.text, lang),
                    correct=part.correct,
                    ticked=bool(part.given),
                    should=bool(part.expected),
                    feedback=pick(option.feedback, lang) if part.given and option.feedback else None,
                )
            )
        feedback = []  # shown next to the options
    elif qtype == "truefalse":
        part = result.parts[0]
        given_text = _yes_no(part.given, tf_labels)
        expected_text = _yes_no(part.expected, tf_labels)
    elif qtype in ("numeric", "calculated"):
        part = result.parts[0]
        unit = f" {pick(question.unit, lang)}" if question.unit else ""
        given_text = f"{part.given}{unit}" if part.given is not None else None
        expected_text = f"{format_expected(question, instance)}{unit}"
        tolerance = question.answers[0].tolerance.describe()
    elif qtype == "short":
        given_text = result.parts[0].given
        expected_text = pick(model_answer(question).text, lang)
    elif qtype == "ordering":
        # Each line says whether the item sits in its right place; the grade's partial credit
        # (the longest run in the right relative order) is stated once, as ``in_order``.
        in_order = sum(1 for part in result.parts if part.correct) if result.answered else 0
        for part in result.parts:
            lines.append(
                ReviewLine(
                    label=pick(question.item(part.id).text, lang),
                    correct=part.given is not None and part.given == part.expected,
                    given=None if part.given is None else str(part.given),
                    expected=str(part.expected),
                )
            )
        correct_order = [pick(item.text, lang) for item in question.items]
    elif qtype == "matching":
        for part in result.parts:
            pair = question.pair(part.id)
            chosen = question.pair(part.given).answer if part.given else None
            lines.append(
                ReviewLine(
                    label=pick(pair.prompt, lang),
                    correct=part.correct,
                    given=pick(chosen, lang) if chosen else None,
                    expected=pick(pair.answer, lang),
                )
            )
    return ReviewView(
        score=result.score,
        max_score=result.max_score,
        correct=result.correct,
        answered=result.answered,
        lines=lines,
        given_text=given_text,
        expected_text=expected_text,
        tolerance=tolerance,
        correct_order=correct_order,
        in_order=in_order,
        document=document,
        feedback=feedback,
        explanation=pick(instance_text(question, instance, question.explanation), lang),
        multiple=qtype == "multi",
    )


def _view(question: Question, instance: QuestionInstance, number: int, lang: str) -> QuestionView:
    view = QuestionView(
        question_id=question.id,
        number=number,
        type=question.type,
        text=pick(instance_text(question, instance, question.text), lang),
        mark=question.mark,
        unit=pick(question.unit, lang) if question.unit else "",
        retired=question.retired,
    )
    keys = instance.choices()
    if question.document is not None:
        view.document = document_view(question.document, lang)
    if question.type in ("single", "multi"):
        view.choices = [Choice(key, pick(question.option(oid).text, lang)) for key, oid in keys]
    elif question.type == "ordering":
        view.choices = [Choice(key, pick(question.item(iid).text, lang)) for key, iid in keys]
        view.positions = list(range(1, len(keys) + 1))
    elif question.type == "matching":
        view.choices = [Choice(key, pick(question.pair(pid).answer, lang)) for key, pid in keys]
        view.prompts = [Choice(pid, pick(question.pair(pid).prompt, lang)) for pid in instance.order]
    return view


def question_views(
    attempt: Attempt,
    lang: str,
    tf_labels: Mapping[bool, str],
    *,
    form_values: Mapping[str, Any] | None = None,
    errors: Mapping[str, object] | None = None,
    review: bool = False,
) -> list[QuestionView]:
    """Every question of the attempt as shown: the saved answer (or what was just posted, when the
    form is shown again with errors), and the review where it may be shown (``review=True`` for all
    graded questions; checked questions always)."""
    bank_set = banks()
    saved = saved_answers(attempt)
    views: list[QuestionView] = []
    for number, instance in enumerate(instances_of(attempt), start=1):
        question = bank_set.get(instance.question_id)
        if question is None:
            views.append(
                QuestionView(instance.question_id, number, instance.type, "", 0.0, missing=True)
            )
            continue
        view = _view(question, instance, number, lang)
        row = saved.get(question.id)
        stored = row.answer if row is not None else None
        if form_values is not None and question.id in form_values:
            view.value = form_values[question.id]
        else:
            try:
                view.value = answer_to_form(question, instance, stored)
            except AnswerError:
                view.value = None
        view.checked = row is not None and row.checked_at is not None
        if errors:
            view.error = errors.get(question.id)
        if review or view.checked:
            result = grade_instance(question, instance, stored)
            if result is not None:
                view.review = review_of(question, instance, result, lang, tf_labels)
        views.append(view)
    return views


def missed_topics(views: list[QuestionView]) -> list[tuple[str, tuple[str, ...]]]:
    """(module, competencies) of each question answered wrongly or left blank, for pointing the
    trainee at the lessons to reread."""
    known = banks()
    missed = []
    for view in views:
        if view.missing or (view.review is not None and view.review.correct):
            continue
        question = known.questions.get(view.question_id)
        if question is not None:
            missed.append((question.module, tuple(question.competencies)))
    return missed
