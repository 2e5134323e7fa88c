"""Role-play pages: the scenario list, a conversation and its debrief, my history, my team's
results, the scenario graph (admins), joining a workshop, the participant's room and the
facilitator's board. Thin: parse input, call :mod:`trainer.roleplay.services`, render."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from trainer.accounts.models import User
from trainer.content.source import pick
from trainer.core.content import catalog
from trainer.core.i18n import content_language
from trainer.core.throttle import Window, failure_window
from trainer.core.web import client_address, role_required
from trainer.extensions import db
from trainer.roleplay.cli import scenario_cli
from trainer.roleplay.forms import ChoiceForm, ConfirmForm, JoinForm, RubricForm, WorkshopForm
from trainer.roleplay.models import Participant, Play, WorkshopSession
from trainer.roleplay.scenarios import mermaid
from trainer.roleplay.services import graph as graph_service
from trainer.roleplay.services import (
    practice,
    seating,
    workshop,
    workshop_debrief,
    workshop_scores,
    workshop_screens,
)
from trainer.roleplay.services.extras import next_steps, seed_demo

bp = Blueprint("roleplay", __name__, template_folder="templates")


# --------------------------------------------------------------------------- solo practice


@bp.route("/roleplay/")
@login_required
def index() -> ResponseReturnValue:
    lang = content_language()
    return render_template(
        "roleplay/index.html",
        cards=practice.scenario_cards(current_user, lang),
        seats=workshop.open_seats(current_user),
        form=ConfirmForm(),
    )


@bp.route("/roleplay/scenarios/<scenario_id>/start", methods=["POST"])
@login_required
def start(scenario_id: str) -> ResponseReturnValue:
    scenario = practice.get_scenario(scenario_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    play = practice.start_play(current_user, scenario)
    return redirect(url_for("roleplay.play", play_id=play.id))


def _play_or_404(play_id: int) -> Play:
    return practice.visible_play(current_user, play_id) or abort(404)


def _render_play(play: Play, *, error: str | None = None, status: int = 200) -> ResponseReturnValue:
    scenario = practice.get_scenario(play.scenario_id) or abort(404)
    lang = content_language()
    owner = play.user_id == current_user.id
    context = {"play": play, "owner": owner, "error": error, "player": play.user}
    if play.finished:
        return render_template(
            "roleplay/debrief.html",
            debrief=practice.play_debrief(play, scenario, lang),
            form=ConfirmForm(),
            **context,
        ), status
    return render_template(
        "roleplay/play.html",
        view=practice.conversation(play, scenario, lang),
        form=ChoiceForm(formdata=None),
        restart=ConfirmForm(),
        **context,
    ), status


@bp.route("/roleplay/plays/<int:play_id>")
@login_required
def play(play_id: int) -> ResponseReturnValue:
    return _render_play(_play_or_404(play_id))


@bp.route("/roleplay/plays/<int:play_id>/choose", methods=["POST"])
@login_required
def choose(play_id: int) -> ResponseReturnValue:
    the_play = _play_or_404(play_id)
    scenario = practice.get_scenario(the_play.scenario_id) or abort(404)
    form = ChoiceForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _render_play(
            the_play, error=_("That reply is not one of the choices here, so nothing was saved. Pick one of the replies shown."),
            status=400,
        )
    try:
        practice.choose(current_user, the_play, scenario, form.choice.data, form.step.data)
    except practice.PlayError as refused:
        return _render_play(the_play, error=str(refused.message), status=refused.status)
    return redirect(url_for("roleplay.play", play_id=the_play.id) + ("#debrief" if the_play.finished else "#now"))


@bp.route("/roleplay/history")
@login_required
def history() -> ResponseReturnValue:
    lang = content_language()
    return render_template(
        "roleplay/history.html",
        plays=practice.my_plays(current_user, lang),
        workshops=workshop.my_workshops(current_user),
        scenario_titles=_scenario_titles(lang),
    )


@bp.route("/roleplay/team")
@role_required("manager", "admin")
def team() -> ResponseReturnValue:
    members, plays = practice.team_results(current_user, content_language())
    return render_template("roleplay/team.html", members=members, plays=plays)


@bp.route("/roleplay/scenarios/<scenario_id>/graph")
@role_required("admin")
def graph(scenario_id: str) -> ResponseReturnValue:
    scenario = practice.get_scenario(scenario_id) or abort(404)
    lang = content_language()
    return render_template(
        "roleplay/graph.html",
        scenario=scenario,
        title=_scenario_titles(lang).get(scenario.id, scenario.id),
        mermaid_text=mermaid(scenario, lang),
        drawing=graph_service.layout(scenario, lang),
        outline=graph_service.outline(scenario, lang),
        warnings=[w for w in catalog().warnings if w.path == scenario.path],
    )


def _scenario_titles(lang: str) -> dict[str, str]:
    return {key: pick(s.title, lang) for key, s in practice.scenarios().items()}


# --------------------------------------------------------------------------- joining a workshop


@bp.route("/join", methods=["GET", "POST"])
@login_required
def join() -> ResponseReturnValue:
    form = JoinForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = workshop.normalise_code(request.args["code"])[:20]
    status = 200
    guesses: Window = current_app.extensions["join_guesses"]
    limits = {f"user:{current_user.id}": current_app.config["JOIN_MAX_GUESSES_PER_USER"],
              f"address:{client_address()}": current_app.config["JOIN_MAX_GUESSES_PER_ADDRESS"]}
    if request.method == "POST" and guesses.blocked(limits):
        form.code.errors = [_("Too many wrong room codes. Wait a minute, then check the code on the facilitator's screen.")]
        return render_template("roleplay/join.html", form=form), 429
    if form.validate_on_submit():
        session = workshop.find_by_code(form.code.data)
        if session is not None and session.facilitator_id == current_user.id:
            return redirect(url_for("roleplay.board", session_id=session.id))
        try:
            seat, already = seating.join(current_user, form.code.data)
        except workshop.WorkshopError as refused:
            form.code.errors.append(str(refused.message))
            status = refused.status
            if status == 404:
                for key in limits:
                    guesses.add(key)
        else:
            if already:
                flash(_("You are already in this room; here is your seat."), "info")
            return redirect(url_for("roleplay.room", code=seat.session.code))
    elif request.method == "POST":
        status = 400
    return render_template("roleplay/join.html", form=form), status


def _seat_or_redirect(code: str) -> tuple[WorkshopSession, Participant | None]:
    session = workshop.find_by_code(code) or abort(404)
    seat = seating.seat_of(session, current_user)
    return session, seat


@bp.route("/roleplay/room/<code>")
@login_required
def room(code: str) -> ResponseReturnValue:
    session, seat = _seat_or_redirect(code)
    if seat is None:
        if workshop.can_facilitate(current_user, session):
            return redirect(url_for("roleplay.board", session_id=session.id))
        flash(_("Join the room first."), "info")
        return redirect(url_for("roleplay.join", code=session.code))
    lang = content_language()
    scenario = practice.get_scenario(session.scenario_id)
    return render_template(
        "roleplay/room.html",
        room=workshop_screens.room(session, seat, scenario, lang),
        form=RubricForm(formdata=None),
        error=None,
    )


@bp.route("/roleplay/room/<code>/status.json")
@login_required
def room_status(code: str) -> ResponseReturnValue:
    session, seat = _seat_or_redirect(code)
    if seat is None:
        abort(404)
    return jsonify({"version": workshop_screens.room_version(session, seat), "round": session.round,
                    "revealed": session.debrief_revealed, "open": workshop.is_open(session)})


@bp.route("/roleplay/room/<code>/rubric", methods=["POST"])
@login_required
def submit_rubric(code: str) -> ResponseReturnValue:
    session, seat = _seat_or_redirect(code)
    if seat is None:
        abort(403)
    form = RubricForm()
    lang = content_language()
    error = None
    status = 200
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        error, status = _("The comment is too long (at most %(n)s characters).", n=workshop_scores.COMMENT_MAX), 400
    elif form.round.data and form.round.data != str(session.round):
        error, status = _("The round has changed since you opened this form, so nothing was saved. Score the current round."), 409
    else:
        try:
            workshop_scores.submit_rubric(current_user, session, workshop_scores.parse_scores(request.form), form.comment.data or "",
                                   lang=lang)
        except workshop.WorkshopError as refused:
            error, status = str(refused.message), refused.status
        else:
            flash(_("Scores saved for round %(round)s. You can correct them until the facilitator moves on.",
                    round=session.round), "success")
            return redirect(url_for("roleplay.room", code=session.code) + "#rubric")
    scenario = practice.get_scenario(session.scenario_id)
    return render_template(
        "roleplay/room.html",
        room=workshop_screens.room(session, seat, scenario, lang),
        form=form,
        error=error,
        submitted=workshop_scores.parse_scores(request.form),
    ), status


# --------------------------------------------------------------------------- facilitating


@bp.route("/roleplay/workshops", methods=["GET", "POST"])
@role_required("manager", "admin")
def workshops() -> ResponseReturnValue:
    lang = content_language()
    titles = _scenario_titles(lang)
    form = WorkshopForm()
    form.scenario.choices = list(titles.items())
    if form.validate_on_submit():
        scenario = practice.get_scenario(form.scenario.data) or abort(404)
        session = workshop.open_session(
            current_user, scenario, hours=float(current_app.config.get("ROLEPLAY_WORKSHOP_HOURS", workshop.DEFAULT_HOURS))
        )
        flash(_("Workshop room %(code)s is open. Participants join at %(url)s.", code=session.code,
                url=url_for("roleplay.join", _external=True)), "success")
        return redirect(url_for("roleplay.board", session_id=session.id))
    sessions = workshop.sessions_for(current_user)
    return render_template(
        "roleplay/workshops.html",
        form=form,
        sessions=sessions,
        titles=titles,
        open_ids={s.id for s in sessions if workshop.is_open(s)},
    ), (400 if request.method == "POST" else 200)


def _facilitated(session_id: int) -> WorkshopSession:
    session = db.session.get(WorkshopSession, session_id) or abort(404)
    if not workshop.can_facilitate(current_user, session):
        abort(403)
    return session


@bp.route("/roleplay/workshops/<int:session_id>")
@role_required("manager", "admin")
def board(session_id: int) -> ResponseReturnValue:
    session = _facilitated(session_id)
    lang = content_language()
    scenario = practice.get_scenario(session.scenario_id)
    data = workshop_screens.board(session, scenario, lang)
    return render_template(
        "roleplay/board.html",
        session=session,
        board=data,
        join_url=url_for("roleplay.join", _external=True),
        debrief=workshop_debrief.workshop_debrief(scenario, lang) if scenario and session.debrief_revealed else None,
        form=ConfirmForm(),
    )


@bp.route("/roleplay/workshops/<int:session_id>/board.json")
@role_required("manager", "admin")
def board_json(session_id: int) -> ResponseReturnValue:
    session = _facilitated(session_id)
    return jsonify(workshop_screens.board(session, practice.get_scenario(session.scenario_id), content_language()))


def _facilitator_action(
    session_id: int, action: Callable[[User, WorkshopSession], object], done: str
) -> ResponseReturnValue:
    session = _facilitated(session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action(current_user, session)
    except workshop.WorkshopError as refused:
        flash(str(refused.message), "error")
    else:
        flash(done, "success")
    return redirect(url_for("roleplay.board", session_id=session.id))


@bp.route("/roleplay/workshops/<int:session_id>/next-round", methods=["POST"])
@role_required("manager", "admin")
def next_round(session_id: int) -> ResponseReturnValue:
    return _facilitator_action(session_id, seating.next_round, _("Next round started: roles have rotated."))


@bp.route("/roleplay/workshops/<int:session_id>/reveal", methods=["POST"])
@role_required("manager", "admin")
def reveal(session_id: int) -> ResponseReturnValue:
    return _facilitator_action(session_id, workshop.reveal_debrief, _("The debrief is now shown to every participant."))


@bp.route("/roleplay/workshops/<int:session_id>/close", methods=["POST"])
@role_required("manager", "admin")
def close(session_id: int) -> ResponseReturnValue:
    return _facilitator_action(session_id, workshop.close, _("The workshop is closed; nobody else can join."))


def init_app(app: Flask) -> None:
    """Plug the feature into the app: its blueprint and whatever else it offers the others."""
    app.register_blueprint(bp)
    # shared by every process and host through Redis when TRAINER_REDIS_URL is set, else per process
    app.extensions["join_guesses"] = failure_window(app.config.get("REDIS_URL"), "join-guesses", 60.0)
    app.cli.add_command(scenario_cli)
    app.extensions.setdefault("next_step_providers", []).append(next_steps)
    app.extensions.setdefault("demo_seeders", []).append(seed_demo)
