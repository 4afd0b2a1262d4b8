"""What decides a re-render: each job's digest, with the package's sources read once for a batch."""

from dprk_arms.briefs import cache, plan
from dprk_arms.data import catalog as catalog_mod


def test_a_batch_reads_the_sources_once_and_each_digest_is_the_one_a_job_alone_gets(tmp_path, monkeypatch):
    calls = []
    real = cache.code_digest
    monkeypatch.setattr(plan, "code_digest", lambda: calls.append(1) or real())
    jobs = plan.scenario_jobs([], True, {}, tmp_path, 60)
    assert len(jobs) > 1 and len(calls) == 1
    cat = catalog_mod.load()
    for job in jobs:
        alone = cache.job_digest([_spec_digest(job)], job.notebook, cat)  # reads the sources itself
        assert job.digest == alone == job.parameters["render_digest"], job.name


def test_a_change_to_the_sources_changes_every_digest(tmp_path, monkeypatch):
    before = {j.name: j.digest for j in plan.scenario_jobs([], True, {}, tmp_path, 60)}
    monkeypatch.setattr(plan, "code_digest", lambda: "0" * 64)
    after = {j.name: j.digest for j in plan.scenario_jobs([], True, {}, tmp_path, 60)}
    assert before.keys() == after.keys() and all(before[n] != after[n] for n in before)


def _spec_digest(job):
    from dprk_arms.data import scenarios
    spec = scenarios.load_scenario(scenarios.scenario_path(job.name), catalog_mod.load())
    return spec.digest()
