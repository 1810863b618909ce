from tracktion.core.models import (
    AudioFormat,
    AudioProperties,
    FileObservation,
    FileStat,
    Fingerprint,
    Tags,
)


def test_observation_round_trips_through_its_dict() -> None:
    observation = FileObservation(
        stat=FileStat("/m/a.flac", 10, 20, 30),
        fingerprint=Fingerprint("a" * 64, "b" * 32, 10),
        format=AudioFormat.FLAC,
        tags=Tags(title="T", artists=("A", "B"), track_number=3, tagged_bpm=123.5),
        audio=AudioProperties(codec="flac", duration_s=1.5, sample_rate=44100, channels=2),
        warnings=("tags unreadable",),
    )

    assert FileObservation.from_dict(observation.to_dict()) == observation


def test_stat_identity_is_size_mtime_and_inode() -> None:
    stat = FileStat("/a", 1, 2, 3)

    assert stat.same_as(FileStat("/elsewhere", 1, 2, 3))
    assert not stat.same_as(FileStat("/a", 1, 2, 4))
    assert not stat.same_as(FileStat("/a", 1, 5, 3))
