"""Polite HTTP fetching: one shared httpx client policy for every outside web source.

``client.PoliteFetcher`` puts the parts together under a ``policy.FetchPolicy``:
``allow_list`` (which URLs may be fetched at all), ``rate_limit`` (per-host token bucket and
sliding window), ``robots`` (robots.txt rules), ``breaker`` (per-host circuit breaker),
``retry`` (backoff and Retry-After) and ``page_cache`` (the Cache port plus a disk directory).
"""
