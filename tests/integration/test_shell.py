"""The interactive shell of `eventlake query` (no SQL, stdin a terminal), driven through a
pseudo-terminal with pexpect as a user would: line editing, history across sessions, completion,
Ctrl-C at the prompt and during a query, every statement's result, dot commands, errors."""
import os
import re

import pexpect
import pytest

import harness

PROMPT = "eventlake> "
MORE = "      ...> "


class Shell:
    """`eventlake query --lake LAKE` on a pseudo-terminal of `columns` columns, with HOME (where the
    history file lives) set to `home`."""

    def __init__(self, lake, home, columns=120, args=()):
        env = dict(os.environ, HOME=str(home), TERM="xterm")
        env.pop("EVENTLAKE_HISTORY", None)
        env.pop("COLUMNS", None)
        self.p = pexpect.spawn(harness.BIN, ["query", "--lake", str(lake), *args], env=env,
                               encoding="utf-8", timeout=30, dimensions=(50, columns))

    def prompt(self, text=PROMPT):
        """Waits for a prompt and for the line editor to take the terminal (libedit prints the
        prompt first: a Ctrl-D typed before would reach it as a NUL byte); returns what was printed
        before the prompt (CR LF turned into LF)."""
        self.p.expect_exact(text)
        assert self.p.waitnoecho(timeout=10), "the line editor did not take the terminal"
        return self.p.before.replace("\r\n", "\n")

    def run(self, line):
        """Types `line` and Enter; returns the output up to the next prompt, without the echo."""
        self.p.send(line + "\r")
        out = self.prompt()
        return out.split("\n", 1)[1] if "\n" in out else ""

    def quit(self):
        """Ctrl-D at the prompt; returns the exit status."""
        self.p.sendcontrol("d")
        self.p.expect(pexpect.EOF)
        self.p.close()
        return self.p.exitstatus

    def close(self):
        if self.p.isalive():
            self.p.close(force=True)


@pytest.fixture
def lake(tmp_path):
    """A lake with one table, `events`: 100 rows of id, user_name, props (a STRUCT) and tags (a LIST)."""
    lake = tmp_path / "lake"
    (lake / "events").mkdir(parents=True)
    harness.run(["query", "--lake", str(lake),
                 "COPY (SELECT i AS id, 'user_' || i AS user_name, {'plan': 'pro', 'n': i} AS props, "
                 f"[i, i + 1] AS tags FROM range(100) t(i)) TO '{lake}/events/part-0.parquet'"])
    return lake


@pytest.fixture
def shells(tmp_path):
    """Starts shells (HOME is tmp_path/home) and kills whatever is left of them afterwards."""
    home = tmp_path / "home"
    home.mkdir()
    started = []

    def start(lake, **kwargs):
        s = Shell(lake, home, **kwargs)
        started.append(s)
        return s

    start.home = home
    yield start
    for s in started:
        s.close()


def box_values(text, column):
    """The values of `column` in the first duckbox of `text`: the cells of the rows between the
    rule under the header and the next rule."""
    lines = text.splitlines()
    top = next(i for i, line in enumerate(lines) if line.startswith("┌"))
    rule = next(i for i in range(top, len(lines)) if lines[i].startswith("├"))
    end = next(i for i in range(rule + 1, len(lines)) if lines[i][:1] in "├└")
    def cells(line):
        return [c.strip() for c in line.strip("│").split("│")]
    i = cells(lines[top + 1]).index(column)
    return [cells(line)[i] for line in lines[rule + 1:end]]


def test_every_statement_prints_its_result(lake, shells):
    s = shells(lake)
    s.prompt()
    out = s.run("SELECT 1 AS a; SELECT 2 AS b;")
    assert box_values(out, "a") == ["1"], out
    assert box_values(out.split("└", 1)[1], "b") == ["2"], out
    out = s.run("CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (7), (8); SELECT sum(x) AS s FROM t;")
    assert box_values(out, "s") == ["15"], out
    out = s.run("EXPLAIN SELECT 1;")  # the plan drawn on its own lines, not escaped into a cell
    assert "PROJECTION" in out and "\\n" not in out, out
    assert s.quit() == 0


def test_statement_over_several_lines(lake, shells):
    s = shells(lake)
    s.prompt()
    s.p.send("SELECT count(*) AS n\r")
    s.prompt(MORE)
    s.p.send("FROM events\r")
    s.prompt(MORE)
    out = s.run("WHERE id < 10;")
    assert box_values(out, "n") == ["10"], out


def test_line_editing(lake, shells):
    s = shells(lake)
    s.prompt()
    # The left arrow moves back over "x;" to insert "y" before it; Backspace removes a character.
    out = s.run("SELECT 9 AS x;" + "\x1b[D" * 2 + "y")
    assert box_values(out, "yx") == ["9"], out
    out = s.run("SELECT 77\x7f AS z;")
    assert box_values(out, "z") == ["7"], out
    # Text beyond ASCII is typed, edited and shown whole (a wide character takes two columns).
    out = s.run("SELECT 'été 日本語' AS s, 'x' AS t;")
    assert box_values(out, "s") == ["été 日本語"], out
    assert len({len(line) + sum(ord(c) > 0x3000 for c in line) for line in out.splitlines()}) == 1, out
    out = s.run("SELECT 'ça' AS s;" + "\x1b[D" * 8 + "\x7fé")  # replace ç
    assert box_values(out, "s") == ["éa"], out
    # Ctrl-A goes to the start of the line, Ctrl-E to its end.
    out = s.run("42 AS w\x01SELECT \x05;")
    assert box_values(out, "w") == ["42"], out


def test_history_across_sessions(lake, shells):
    s = shells(lake)
    s.prompt()
    s.run("SELECT 'first' AS h;")
    s.run("SELECT 'second' AS h;")
    assert s.quit() == 0
    assert oct((shells.home / ".eventlake_history").stat().st_mode & 0o777) == "0o600"

    s = shells(lake)
    s.prompt()
    out = s.run("\x1b[A")  # the up arrow recalls the last statement of the previous session
    assert box_values(out, "h") == ["second"], out
    out = s.run("\x1b[A\x1b[A")
    assert box_values(out, "h") == ["first"], out
    # A statement typed over several lines is one entry; a "--" comment does not swallow the rest.
    s.p.send("SELECT 5 -- five\r")
    s.prompt(MORE)
    s.run("AS v;")
    assert s.quit() == 0
    s = shells(lake)
    s.prompt()
    out = s.run("\x1b[A")
    assert box_values(out, "v") == ["5"], out
    assert s.quit() == 0


def test_completion(lake, shells):
    s = shells(lake)
    s.prompt()
    # A column, a table and a keyword complete with Tab.
    out = s.run("SELECT user_n\t FROM events WHERE id = 3 ORDE\t BY 1;")
    assert box_values(out, "user_name") == ["user_3"], out
    s.run("CREATE TABLE purchases_2024(item VARCHAR);")
    out = s.run("SELECT count(*) AS n FROM purchases_\t;")
    assert box_values(out, "n") == ["0"], out
    out = s.run("sel\t 5 AS k;")
    assert box_values(out, "k") == ["5"], out
    # Dot commands and their arguments.
    out = s.run(".sch\t even\t")
    assert 'CREATE TABLE "events"(' in out, out
    s.run(".mode jsonl\t")
    out = s.run("SELECT 1 AS a;")
    assert '{"a":1}' in out, out


def test_ctrl_c_discards_the_statement_being_typed(lake, shells):
    s = shells(lake)
    s.prompt()
    s.p.send("SELECT\r")
    s.prompt(MORE)
    s.p.sendcontrol("c")
    s.prompt()
    s.p.send("SELECT 'half typed")
    s.p.sendcontrol("c")
    s.prompt()
    out = s.run("SELECT 3 AS after;")  # neither discarded text is part of this statement
    assert box_values(out, "after") == ["3"], out
    assert s.p.isalive()
    assert s.quit() == 0


def test_ctrl_c_cancels_a_running_query(lake, shells):
    s = shells(lake)
    s.prompt()
    s.p.send("SELECT sum(i) AS total FROM range(10000000000000) t(i);\r")
    s.p.expect_exact("t(i);\r\n")  # the line was taken: the query runs
    s.p.sendcontrol("c")
    s.p.expect_exact("Error: Interrupted")
    s.prompt()
    out = s.run("SELECT 'still here' AS alive;")
    assert box_values(out, "alive") == ["still here"], out
    assert s.quit() == 0


def test_errors_keep_their_lines_and_caret(lake, shells):
    s = shells(lake)
    s.prompt()
    out = s.run("SELECT nosuch FROM events;")
    lines = out.splitlines()
    assert lines[0].startswith("Error: Binder Error: Referenced column \"nosuch\" not found"), out
    i = next(k for k, line in enumerate(lines) if line.startswith("LINE 1: "))
    assert lines[i] == "LINE 1: SELECT nosuch FROM events", out
    assert lines[i + 1].index("^") == lines[i].index("nosuch"), out
    out = s.run("SELECT 1 AS ok; SELEC 2;")
    assert "Error: Parser Error: syntax error at or near \"SELEC\"" in out, out
    assert s.quit() == 0


def test_wide_results_fit_the_terminal(lake, shells):
    s = shells(lake, columns=60)
    s.prompt()
    columns = ", ".join(f"{i} AS column_{i}" for i in range(12))
    out = s.run(f"SELECT {columns};")
    box = [line for line in out.splitlines() if line[:1] in "┌│├└"]
    assert box and all(len(line) <= 60 for line in box), out
    assert "column_0" in out and "column_11" in out and "column_6" not in out, out
    assert "12 columns (" in out, out
    out = s.run("SELECT * FROM events ORDER BY id;")
    ids = box_values(out, "id")
    assert ids[:2] == ["0", "1"] and ids[-1] == "99" and "·" in ids, out
    assert "100 rows (40 shown)" in out, out
    s.run(".mode line")
    out = s.run("SELECT id, user_name FROM events WHERE id = 5;")
    assert "       id = 5\nuser_name = user_5\n" in out, out


def test_dot_commands(lake, shells, tmp_path):
    s = shells(lake)
    s.prompt()
    out = s.run(".help")
    for command in (".help", ".tables", ".schema", ".mode", ".timer", ".output", ".read", ".quit"):
        assert command in out, out
    s.run("CREATE VIEW recent AS SELECT * FROM events WHERE id > 90;")
    assert s.run(".tables").split() == ["events", "recent"]
    out = s.run(".schema events")
    assert out.strip() == ('CREATE TABLE "events"("id" BIGINT, "user_name" VARCHAR, '
                           '"props" STRUCT(plan VARCHAR, n BIGINT), "tags" BIGINT[]);'), out
    assert "CREATE VIEW recent AS" in s.run(".schema recent")
    assert s.run(".mode") .strip() == "current output mode: duckbox"
    s.run(".mode csv")
    assert s.run("SELECT 1 AS a, 'x,y' AS b;") == 'a,b\r\n1,"x,y"\r\n'
    s.run(".timer on")
    assert re.search(r"Run Time \(s\): real \d+\.\d{3} user \d+\.\d+ sys \d+\.\d+", s.run("SELECT 1;"))
    s.run(".timer off")
    out_file = tmp_path / "out.csv"
    s.run(f".output {out_file}")
    assert s.run("SELECT 2 AS b;") == ""
    s.run(".output")
    assert out_file.read_bytes() == b"b\r\n2\r\n"
    script = tmp_path / "script.sql"
    script.write_text(".mode line\nSELECT 'from a file' AS source;\nSELECT count(*) AS n\nFROM events;\n")
    out = s.run(f".read {script}")
    assert "source = from a file\n" in out and "n = 100\n" in out, out
    assert s.run(".mode nosuch").startswith("Error: unknown mode 'nosuch'")
    assert s.run(".frobnicate").startswith("Error: unknown command .frobnicate")
    assert s.run(".read /no/such/file.sql").startswith("Error: cannot open /no/such/file.sql")
    assert s.run(f".read {tmp_path}").startswith(f"Error: cannot open {tmp_path}")
    assert s.run(f".output {tmp_path}").startswith(f"Error: cannot write {tmp_path}")
    assert s.run(".schema nosuch").startswith("Error: no table nosuch")
    s.p.send(".quit\r")
    s.p.expect(pexpect.EOF)
    s.p.close()
    assert s.p.exitstatus == 0


def test_lake_that_does_not_exist(tmp_path, shells):
    missing = tmp_path / "no" / "such" / "lake"
    cp = harness.run(["query", "--lake", str(missing), "SELECT * FROM events"], check=False)
    assert cp.returncode == 2, cp
    assert cp.stderr == f"eventlake query: lake {missing} does not exist (no such folder)\n"
    s = shells(missing)  # the shell says the same and does not start
    s.p.expect(pexpect.EOF)
    assert "does not exist" in s.p.before
    s.p.close()
    assert s.p.exitstatus == 2
    assert not missing.exists()


def test_empty_lake_has_no_tables(tmp_path, shells):
    empty = tmp_path / "empty"
    empty.mkdir()
    s = shells(empty)
    s.prompt()
    assert s.run(".tables").strip() == ""
    assert box_values(s.run("SELECT 1 AS one;"), "one") == ["1"]
    assert s.quit() == 0
