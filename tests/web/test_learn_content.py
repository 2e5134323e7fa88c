"""Every lesson of the real course renders in both languages, and every /learn/ link and image on
those pages resolves."""

from __future__ import annotations

import re
from html import unescape

import pytest
from markupsafe import escape

from trainer.extensions import db
from trainer.learn.services import lookups, recording

pytestmark = pytest.mark.usefixtures("no_quiz_gates")


HREF = re.compile(r'href="([^"]+)"')
SRC = re.compile(r'<img[^>]*\ssrc="([^"]+)"')


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_lesson_renders_without_broken_links_or_images(app, client, actions, make_user, language):
    course = lookups.onboarding_course()
    assert course is not None and len(course.lessons) >= 20
    user = make_user("trainee", email=f"reader-{language[:2]}@example.com", language=language)
    for lesson in course.lessons:  # everything unlocked, so every link can be followed
        recording.complete_lesson(user.id, course.id, lesson.id, language)
    db.session.expire_all()
    actions.login(user.email)
    lang = lookups.content_lang(language)

    checked: dict[str, int] = {}
    images = 0
    for lesson in course.lessons:
        url = f"/learn/{course.id}/{lesson.id}"
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, (url, response.location)
        text = lesson.text(lang)
        assert f"<h1>{escape(text.title)}</h1>" in html, url
        assert escape(text.check.question) in html and escape(text.takeaways[0]) in html, url
        body = html.split('data-testid="lesson-body"', 1)[1].split('data-testid="check"', 1)[0]
        assert len(body) > 1500, f"{url}: lesson body looks empty"
        targets = [unescape(h) for h in HREF.findall(html) if h.startswith("/learn/")]
        sources = [unescape(s) for s in SRC.findall(body)]
        images += len(sources)
        for target in targets + sources:
            path = target.split("#", 1)[0]
            if path not in checked:
                checked[path] = client.get(path).status_code
            assert checked[path] in (200, 302), f"{url} links to {target}: {checked[path]}"
            if path in sources:
                assert checked[path] == 200, f"{url}: image {target} is broken"
        # Links inside the lesson body must point at pages that exist (not redirects to login etc.).
        for target in [unescape(h) for h in HREF.findall(body)]:
            assert target.startswith(("/learn/", "http://", "https://", "#", "mailto:")), f"{url}: odd link {target}"
            if target.startswith("/learn/"):
                assert checked[target.split("#", 1)[0]] == 200, f"{url}: {target}"
    assert images >= 3  # the lifecycle, escalation ladder and aging report diagrams at least
    assert any("/images/" in path for path in checked)
