"""The inbox of notices (for a user and their groups) and the managers' page of scheduled jobs."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from center.accounts.guards import requires_login, requires_manager
from center.lib.i18n import N_, pick
from center.lib.scheduler.service import status
from center.notices.service import inbox, mark_read
from center.web.templating import flash


class InboxController(Controller):
    """The signed-in person's notices."""

    path = "/inbox"
    guards = (requires_login,)

    @get("/", name="center:inbox")
    async def inbox_page(self, request: Request) -> Template:
        """Notices to the user and their groups, newest first; unread ones marked."""
        user = request.user
        notices = await inbox(group_ids=tuple(user.group_ids), user_id=user.id)
        items = [
            {
                **notice,
                "subject": pick(notice["subject_ja"], notice["subject_en"]),
                "body": pick(notice["body_ja"], notice["body_en"]),
            }
            for notice in notices
        ]
        return Template("center/inbox.html", context={"notices": items})

    @post("/read", name="center:inbox_read")
    async def inbox_read(self, request: Request) -> Redirect:
        """Mark every notice shown to this user as read."""
        user = request.user
        notices = await inbox(group_ids=tuple(user.group_ids), user_id=user.id)
        await mark_read([notice["id"] for notice in notices if notice["read_at"] is None])
        flash(request, N_("All notices are marked as read."))
        return Redirect(path=request.app.route_reverse("center:inbox"), status_code=303)


class JobsController(Controller):
    """The scheduled jobs and the outbox, for managers."""

    path = "/manage/jobs"
    guards = (requires_manager,)

    @get("/", name="center:jobs")
    async def jobs_page(self, request: Request) -> Template:
        """When each scheduled job last ran and what it did, and the e-mail outbox's unsent messages."""
        from center.notices.delivery import outbox_overview

        return Template(
            "center/jobs.html", context={"jobs": await status(), "outbox": await outbox_overview()}
        )


ROUTES = [InboxController, JobsController]
