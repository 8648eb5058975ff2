"""Publication: publicity notices, final announcements, result letters, reports, open
data and the static public credit archive, all rendered from the evaluation database.

The cycle calls `render_publicity_notice` when a publicity window opens and
`render_final_announcement` at final publication. A final-result mail links to
`public_link(letter_path(season, credit_code), settings.public_site_url)`.
`publish_all` regenerates everything.
"""

from publication.letters import letter_path, render_result_letter
from publication.notices import (
    RenderedDocument,
    render_final_announcement,
    render_publicity_notice,
)
from publication.publish import PublishOptions, PublishReport, publish_all
from publication.query import PublicationError, final_url, public_link, publicity_url

__all__ = [
    "PublicationError",
    "PublishOptions",
    "PublishReport",
    "RenderedDocument",
    "final_url",
    "letter_path",
    "public_link",
    "publicity_url",
    "publish_all",
    "render_final_announcement",
    "render_publicity_notice",
    "render_result_letter",
]
