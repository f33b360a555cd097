"""The copy desk: a manuscript as a newspaper page prints it, read into structure, and an
article body edited as text.

The reading is pure — text in, plain data out, no database:

- `vocabulary` — the newsroom's words: byline roles, credit forms, speakers' posts;
- `credits` — byline and photo-credit lines into names, roles and organisations;
- `lines` — the manuscript as numbered lines, and the edits the copy desk proposes;
- `grammar` — what each line is (headline, byline, paragraph, caption, …) and the draft
  issue it makes; lines it cannot place are kept, with their numbers;
- `draft` — what a manuscript is read into; `desk` — one reading, with its fixes;
- `body` — the article body as text, for the body editor: parse and write back exactly;
- `report` — the copy-editing report: findings with line numbers, each with a fix or a
  question for the reporter;
- `files` — Word and plain text files as text.

Then the database, below the desk and above delivery:

- `rows` — draft nodes as rows, each validated as the admin validates;
- `contributors` — credited names matched to the people already credited;
- `photo_slots` — photos awaiting their image, on one shared placeholder;
- `importing` — a manuscript proposed (what stops it, what the user may not do) and saved
  as drafts in one transaction;
- `body_editor` — the body as text, checked and saved back into the rows;
- `reader_view` — drafts in the API's node shape, for the admin's side-by-side views;
- `forms`, `admin` — the import page and the body editor in the admin.
"""
