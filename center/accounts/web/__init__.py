"""Accounts on the web: group registration (団体登録) and a member's groups (groups.py), the
manager's accounts (users.py), the audit log (audit.py), and the JSON API (api.py). Forms work as
plain POSTs with a 303 redirect; bad input re-renders the form with status 400 and every problem
tied to its field. List searches update in place with htmx."""

from center.accounts.web.api import ROUTES as API_ROUTES
from center.accounts.web.audit import AuditController
from center.accounts.web.groups import GroupApplicationController, ManageGroupsController, MyGroupsController
from center.accounts.web.users import ManageUsersController

PAGES = [
    MyGroupsController,
    AuditController,
    GroupApplicationController,
    ManageGroupsController,
    ManageUsersController,
]
ROUTES = [*PAGES, *API_ROUTES]
