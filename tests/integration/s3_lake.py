"""A lake on S3 for the tests, built without eventlake's S3 writer: a local lake (landed by
`eventlake land`) uploaded key for path with boto3, as docs/formats/lake_on_s3.md lays it out,
progress records `_progress/<topic>/<p>.next` included."""
import os
import re

DATA_FILE = re.compile(r"^(?P<topic>[^+]+)\+(?P<p>\d+)\+(?P<first>\d+)-(?P<last>\d+)(_\d+)?\.parquet$")


def upload_lake(s3, bucket, prefix, lake):
    """Uploads every file of the local lake `lake` to s3://bucket/prefix/ key for path, except the
    landers' staging and locks (`_staging/`). Returns the keys written (relative to the prefix)."""
    keys = []
    for root, dirs, files in os.walk(lake):
        rel_root = os.path.relpath(root, lake)
        if rel_root.split(os.sep)[0] == "_staging":
            dirs[:] = []
            continue
        for f in files:
            rel = os.path.normpath(os.path.join(rel_root, f)).replace(os.sep, "/")
            s3.upload_file(os.path.join(root, f), bucket, key(prefix, rel))
            keys.append(rel)
    return sorted(keys)


def key(prefix, rel):
    return f"{prefix.strip('/')}/{rel}" if prefix.strip("/") else rel


def put_progress(s3, bucket, prefix, topic, partition, next_offset, owner=None, epoch=1):
    """Writes the progress record of `topic`'s `partition`: the next offset to land (or "none"),
    with an owner line when `owner` is given."""
    body = f"{next_offset}\n" + (f"owner={owner} epoch={epoch}\n" if owner else "")
    s3.put_object(Bucket=bucket, Key=key(prefix, f"_progress/{topic}/{partition}.next"), Body=body.encode())


def progress(s3, bucket, prefix, topic):
    """{partition: next offset} from the bucket's progress records of `topic` (the first line of a
    record; a claimed partition with nothing landed, `none`, is left out)."""
    out = {}
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=key(prefix, f"_progress/{topic}/"))
    for o in listed.get("Contents", []):
        p = int(o["Key"].rsplit("/", 1)[1].split(".")[0])
        first = s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read().decode().split("\n")[0]
        if first != "none":
            out[p] = int(first)
    return out


def upload_uncommitted(s3, bucket, prefix, lake, rel_file, first, last):
    """Uploads the local data file `rel_file` again under the name of the range first..last of
    its topic-partition, in the same folder: a batch published past the progress record but not
    committed (what a lander leaves between its publish and its records). Returns the new key."""
    folder, name = rel_file.rsplit("/", 1)
    m = DATA_FILE.match(name)
    assert m, name
    rel = f"{folder}/{m['topic']}+{m['p']}+{first}-{last}.parquet"
    s3.upload_file(os.path.join(lake, rel_file), bucket, key(prefix, rel))
    return rel
