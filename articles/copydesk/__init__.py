"""The copy desk: a manuscript as a newspaper page prints it, read into structure.

Pure text in, plain data out; no database here (`articles/copydesk/services.py` matches
contributors and saves). The pieces:

- `vocabulary` — the newsroom's words: byline roles, credit forms, speakers' posts;
- `credits` — byline and photo-credit lines into names, roles and organisations;
- `lines` — the manuscript as numbered lines, and the edits the copy desk proposes;
- `grammar` — what each line is (headline, byline, paragraph, caption, …) and the draft
  issue it makes; lines it cannot place are kept, with their numbers;
- `body` — the article body as text, for the body editor: parse and write back exactly;
- `report` — the copy-editing report: findings with line numbers, each with a fix or a
  question for the reporter;
- `docx` — Word files as lines.
"""
