"""The local stack's Firestore saves, against the real emulator (the session's, own project)."""

from __future__ import annotations

from emulators.firestore_data import FirestoreData, PeriodicSnapshots


def data_for(local_env, tmp_path) -> FirestoreData:
    return FirestoreData(
        tmp_path / "data",
        host=local_env["FIRESTORE_EMULATOR_HOST"],
        project=local_env["NUDGE_PROJECT_ID"],
    )


def test_saves_keep_the_newest_two_and_point_at_the_newest(local_env, tmp_path, store):
    data = data_for(local_env, tmp_path)
    assert data.latest() is None
    store.db.collection("users").document("u1").set({"phone": "+15555550100"})
    saved = [data.save() for _ in range(3)]
    assert data.latest() == saved[-1]
    assert saved[-1].name.endswith(".overall_export_metadata")
    kept = sorted(p.name for p in data.root.glob("snapshot-*"))
    assert kept == sorted(p.parent.parent.name for p in saved[-2:])
    assert b"+15555550100" in b"".join(p.read_bytes() for p in saved[-1].parent.rglob("output-*"))


def test_fresh_moves_the_data_aside_instead_of_deleting_it(local_env, tmp_path, store):
    data = data_for(local_env, tmp_path)
    saved = data.save()
    aside = data.move_aside()
    assert data.latest() is None
    assert aside is not None and (aside / saved.relative_to(data.root)).is_file()
    assert data.move_aside() is None  # nothing left to move


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_quiet_stack_is_saved_rarely_a_busy_one_every_interval(tmp_path):
    clock, busy, up = Clock(), [False], [True]
    snapshots = PeriodicSnapshots(
        FirestoreData(tmp_path, host="127.0.0.1:9", project="p"), 30,
        is_up=lambda: up[0], on_error=print, active=lambda: busy[0], idle_every=600,
        clock=clock,
    )  # fmt: skip
    clock.now = 599
    assert not snapshots.due()
    clock.now = 600
    assert snapshots.due()
    snapshots.last_saved = clock.now
    busy[0] = True
    assert snapshots.due()
    up[0] = False
    assert not snapshots.due()
