"""Assessment attempts landed by examples/assessments.toml: the nested `assessments` table and the
flat `assessment_questions` / `assessment_options` children, checked with exact answers computed
here from the generated NDJSON."""
import collections
import json
import pathlib
import uuid

import pytest

import harness
from harness import query, scalar

JOB = pathlib.Path(__file__).resolve().parents[2] / "examples" / "assessments.toml"


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("assessments")
    procs = harness.Procs(tmp)
    try:
        _, brokers = procs.broker(tmp / "data")
        topic = f"assessments_{uuid.uuid4().hex[:8]}"
        text = harness.run(["generate", "assessments", "--seed", "7"]).stdout
        records = [json.loads(line) for line in text.splitlines()]
        harness.kcat(["-P", "-b", brokers, "-t", topic, "-p", "0"], input=text.encode())
        lake = tmp / "lake"
        cp = harness.run(["land", "--brokers", brokers, "--lake", str(lake), "--job", str(JOB),
                          "--topic", topic], timeout=120)
        yield lake, records, cp.stdout
    finally:
        procs.kill_all()


def test_counts_and_learning_git(landed):
    lake, records, out = landed
    assert len(records) == 3280
    assert f"landed {len(records)} events" in out and "0 dead letters" in out
    assert scalar(lake, "SELECT count(*) FROM assessments") == str(len(records))
    git = sum(1 for r in records if r["exam_name"] == "Learning Git")
    assert scalar(lake, "SELECT count(*) FROM assessments WHERE exam_name = 'Learning Git'") == str(git)
    users = len({r["user_exam_id"] for r in records if r["exam_name"] == "Learning Git"})
    assert scalar(lake, "SELECT count(DISTINCT user_exam_id) FROM assessments "
                        "WHERE exam_name = 'Learning Git'") == str(users)


def test_least_and_most_common_exam(landed):
    lake, records, _ = landed
    counts = collections.Counter(r["exam_name"] for r in records)
    rows = query(lake, "SELECT exam_name, count(*) AS n FROM assessments GROUP BY 1")
    got = {r["exam_name"]: int(r["n"]) for r in rows}
    assert got == dict(counts)
    most = max(counts.values())
    least = min(counts.values())
    top = query(lake, "SELECT exam_name FROM assessments GROUP BY 1 HAVING count(*) = "
                      "(SELECT max(n) FROM (SELECT count(*) AS n FROM assessments GROUP BY exam_name))")
    assert {r["exam_name"] for r in top} == {k for k, v in counts.items() if v == most}
    bottom = query(lake, "SELECT exam_name FROM assessments GROUP BY 1 HAVING count(*) = "
                         "(SELECT min(n) FROM (SELECT count(*) AS n FROM assessments GROUP BY exam_name))")
    assert {r["exam_name"] for r in bottom} == {k for k, v in counts.items() if v == least}


def test_average_score_per_exam_nested_and_flat(landed):
    lake, records, _ = landed
    scores = collections.defaultdict(list)
    for r in records:
        c = r["sequences"]["counts"]
        scores[r["exam_name"]].append(c["correct"] / c["total"])
    want = {k: sum(v) / len(v) for k, v in scores.items()}
    nested = {r["exam_name"]: float(r["avg"]) for r in query(
        lake, "SELECT exam_name, avg(sequences.counts.correct / sequences.counts.total) AS avg "
              "FROM assessments GROUP BY 1")}
    assert nested.keys() == want.keys()
    assert all(abs(nested[k] - want[k]) < 1e-9 for k in want)
    # the same answer from the flat questions table: correct questions over all questions
    flat = {r["exam_name"]: float(r["avg"]) for r in query(
        lake, "SELECT exam_name, avg(score) AS avg FROM (SELECT exam_name, _partition, _offset, "
              "avg(CASE WHEN user_correct THEN 1.0 ELSE 0.0 END) AS score FROM assessment_questions "
              "GROUP BY ALL) GROUP BY 1")}
    want_flat = collections.defaultdict(list)
    for r in records:
        qs = r["sequences"]["questions"]
        want_flat[r["exam_name"]].append(sum(1 for q in qs if q["user_correct"]) / len(qs))
    assert all(abs(flat[k] - sum(v) / len(v)) < 1e-9 for k, v in want_flat.items())


def test_child_tables_carry_parent_keys(landed):
    lake, records, _ = landed
    questions = sum(len(r["sequences"]["questions"]) for r in records)
    options = sum(len(q["options"]) for r in records for q in r["sequences"]["questions"])
    assert scalar(lake, "SELECT count(*) FROM assessment_questions") == str(questions)
    assert scalar(lake, "SELECT count(*) FROM assessment_options") == str(options)
    cols = {r["column_name"]: r["column_type"] for r in query(lake, "DESCRIBE assessment_options")}
    assert {"_partition", "_offset", "keen_id", "question_id", "id", "checked"} <= cols.keys()
    assert scalar(lake, "SELECT count(*) FROM assessment_questions q ANTI JOIN assessments a "
                        "USING (_partition, _offset)") == "0"
    assert cols["checked"] == "BOOLEAN"
    first = records[0]
    q0 = first["sequences"]["questions"][0]
    rows = query(lake, f"SELECT id, CAST(checked AS VARCHAR) AS checked FROM assessment_options "
                       f"WHERE _offset = 0 AND question_id = '{q0['id']}' ORDER BY id")
    assert rows == sorted(({"id": o["id"], "checked": str(o["checked"]).lower()} for o in q0["options"]),
                          key=lambda o: o["id"])
    days = {r["started_at"][:10] for r in records}
    assert scalar(lake, "SELECT count(DISTINCT dt) FROM assessments") == str(len(days))
    assert (lake / "assessments" / "_schema" / "v1.json").exists()
