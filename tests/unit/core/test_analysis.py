from tracktion.core.analysis import AnalysisRecord, Mood


def test_record_round_trips_through_its_contract_json() -> None:
    record = AnalysisRecord(
        path="/m/a.flac",
        sha256="a" * 64,
        bpm=123.5,
        bpm_confidence=0.9,
        beat_offset_s=0.12,
        key="A minor",
        key_confidence=0.8,
        tuning_cents=-3.0,
        loudness_lufs=-9.1,
        true_peak_db=-0.3,
        replaygain_db=-8.9,
        energy=7,
        genres=(("electronic", 0.7), ("dance", 0.4)),
        moods=(("party", 0.5),),
        valence=0.6,
        arousal=0.8,
        duration_s=210.0,
        sample_rate=44100,
        algorithms={"tempo": {"essentia_degara": {"bpm": 123.4}}},
    )

    data = record.to_json()

    assert AnalysisRecord.from_json(data) == record
    assert (data["camelot"], data["open_key"]) == ("8A", "1m")
    assert data["genres"][0] == {"name": "electronic", "probability": 0.7}
    assert data["moods"]["valence"] == 0.6
    assert {
        "path",
        "bpm",
        "bpm_confidence",
        "beat_offset_s",
        "key",
        "camelot",
        "open_key",
        "key_confidence",
        "tuning_cents",
        "loudness_lufs",
        "true_peak_db",
        "energy",
        "genres",
        "moods",
        "duration_s",
        "sample_rate",
        "algorithms",
        "needs_review",
        "error",
    } <= set(data)


def test_a_failure_has_an_error_and_no_measurements() -> None:
    data = AnalysisRecord(path="/m/x.mp3", error="not audio").to_json()

    assert data["error"] == "not audio"
    assert data["bpm"] is None
    assert data["camelot"] is None


def test_mood_is_the_most_probable_known_mood_tag() -> None:
    assert AnalysisRecord(path="a", moods=(("sad", 0.1), ("Mellow", 0.3))).mood == Mood.MELLOW
    assert AnalysisRecord(path="a").mood is None
    assert AnalysisRecord(path="a", moods=(("grumpy", 0.9),)).mood is None
