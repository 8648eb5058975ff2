"""Publication: publicity notices, final announcements, result letters, reports, open
data and the static public credit archive, all rendered from the evaluation database.

The cycle calls `render_publicity_notice` when a publicity window opens,
`render_final_announcement` at final publication and `render_result_letter` for
the link in each final-result mail; `publish_all` regenerates everything.
"""

from publication.letters import letter_path, render_result_letter
from publication.notices import (
    RenderedDocument,
    render_final_announcement,
    render_publicity_notice,
)
from publication.publish import PublishReport, publish_all

__all__ = [
    "PublishReport",
    "RenderedDocument",
    "letter_path",
    "publish_all",
    "render_final_announcement",
    "render_publicity_notice",
    "render_result_letter",
]
