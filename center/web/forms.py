"""The one type every HTML form handler takes: the posted fields as a dict (URL-encoded, as a
browser without JavaScript sends them)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar.enums import RequestEncodingType
from litestar.params import Body

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
