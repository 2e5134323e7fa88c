"""The few interface words of the exported pages, in both languages.

A package is built for one language and then lives in the customer's LMS, far from the site's
message catalogues and the reader's browser settings, so its words travel with it like content:
each entry carries zh and en (``tests/unit/test_scorm.py`` checks that both are filled). Pure Python.
"""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "app": {"zh": "回款训练营", "en": "Receivables Trainer"},
    "module": {"zh": "模块 {n}", "en": "Module {n}"},
    "lesson_of": {"zh": "第 {position} 课，共 {count} 课", "en": "Lesson {position} of {count}"},
    "minutes": {"zh": "阅读约 {n} 分钟", "en": "{n} min read"},
    "check": {"zh": "自我检测", "en": "Check yourself"},
    "check_note": {"zh": "不计分：选一个答案，看看为什么对或错。",
                   "en": "Not graded: choose an answer to see why it is right or wrong."},
    "check_submit": {"zh": "核对答案", "en": "Check my answer"},
    "right": {"zh": "正确。", "en": "Right."},
    "not_quite": {"zh": "不太对。", "en": "Not quite."},
    "takeaways": {"zh": "要点回顾", "en": "Key takeaways"},
    "read_to_end": {"zh": "读到这里，本课即记为完成。", "en": "Reading to here marks the lesson complete."},
    "lesson_done": {"zh": "本课已完成，学习平台已记录。", "en": "Lesson complete: your learning platform has recorded it."},
    "no_lms": {"zh": "未连接学习平台：进度不会被记录。",
               "en": "No learning platform found: your progress is not being recorded."},
    "reference_copy": {"zh": "这是从另一课打开的参考页面，不计入学习记录。",
                       "en": "A reference copy opened from another lesson: reading it here is not recorded."},
    "quiz_rules": {"zh": "每次随机抽取{count}题，得分达到{pass_mark}%即通过。",
                   "en": "Each attempt draws {count} questions; {pass_mark} % to pass."},
    "question": {"zh": "第 {n} 题", "en": "Question {n}"},
    "mark_one": {"zh": "{n} 分", "en": "{n} mark"},
    "marks": {"zh": "{n} 分", "en": "{n} marks"},
    "hint_single": {"zh": "选择一个答案。", "en": "Choose one answer."},
    "hint_multi": {"zh": "选择所有正确的答案。选错会扣分。", "en": "Choose every answer that applies. Wrong picks cost marks."},
    "hint_truefalse": {"zh": "判断对错。", "en": "True or false?"},
    "hint_numeric": {"zh": "输入一个数字。", "en": "Type a number."},
    "hint_short": {"zh": "输入简短的答案（一个词或短语）。", "en": "Type a short answer (a word or a phrase)."},
    "hint_ordering": {"zh": "排列顺序：为每个位置选择一项。", "en": "Put the items in order: choose one item for each position."},
    "hint_matching": {"zh": "把左边的每一项与一个答案配对。", "en": "Match each item on the left with an answer."},
    "order_items": {"zh": "以下各项（顺序随机）：", "en": "The items, in no particular order:"},
    "position": {"zh": "第 {n} 位", "en": "Position {n}"},
    "choose": {"zh": "— 请选择 —", "en": "— choose —"},
    "use_each_once": {"zh": "每个位置选一项，每项只用一次。", "en": "Choose an item for every position, each item once."},
    "right_order": {"zh": "正确顺序：{order}", "en": "Right order: {order}"},
    "true": {"zh": "对", "en": "True"},
    "false": {"zh": "错", "en": "False"},
    "your_answer": {"zh": "你的答案", "en": "Your answer"},
    "submit": {"zh": "提交答卷", "en": "Submit answers"},
    "unanswered": {"zh": "还有{n}题未作答。仍要提交吗？", "en": "{n} question(s) unanswered. Submit anyway?"},
    "not_a_number": {"zh": "请输入数字，小数用小数点，例如 41.5。",
                     "en": "Type a number, with a point for decimals, e.g. 41.5."},
    "score": {"zh": "得分：{percent}%（{score}/{max}分）", "en": "Score: {percent} % ({score} of {max} marks)"},
    "passed": {"zh": "通过，学习平台已记录你的成绩。", "en": "Passed. Your learning platform has recorded the score."},
    "passed_plain": {"zh": "通过。", "en": "Passed."},
    "failed": {"zh": "未通过（需要{pass_mark}%）。复习本模块后再试一次。",
               "en": "Not passed ({pass_mark} % needed). Review the module and try again."},
    "best_kept": {"zh": "学习平台保留你本次学习中更高的一次成绩。",
                  "en": "Your learning platform keeps your better score from earlier in this attempt."},
    "correct_answer": {"zh": "正确答案：{answer}", "en": "Right answer: {answer}"},
    "explanation": {"zh": "解析", "en": "Explanation"},
    "retry": {"zh": "重新作答", "en": "Try again"},
    "static_note": {"zh": "本测验为离线静态页面，答案随页面一起下发，仅用于练习和记录完成情况。",
                    "en": "This quiz is a static page: its answers travel with the page, so it suits practice and "
                          "completion tracking rather than proctored exams."},
}


def labels(lang: str) -> dict[str, str]:
    """Every label in ``lang`` ('zh' or 'en')."""
    return {key: texts[lang] for key, texts in LABELS.items()}
