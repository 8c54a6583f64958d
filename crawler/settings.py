"""Scrapy settings for OpenWatch crawls: polite, bounded and resumable.

`crawler.run` loads this module and adds the User-Agent from the environment
(OPENWATCH_USER_AGENT). Tests and benchmarks override single values.
"""
BOT_NAME = "openwatch"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Politeness
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 8
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# Robustness: nothing may stall a crawl
DOWNLOAD_TIMEOUT = 30
DNS_TIMEOUT = 10
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024      # also caps decompressed size (gzip bombs)
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2                           # backoff comes from AutoThrottle's growing delay
REDIRECT_MAX_TIMES = 5                    # redirect chains end here
DUPEFILTER_CLASS = "crawler.dupefilters.LoopReportingDupeFilter"  # loops back to a seen URL: stopped, reported
CONCURRENT_ITEMS = 1                      # items per response processed at once: a page yields one (a slot costs a task)
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 200_000    # fetched bytes awaiting extraction per source; beyond it fetching waits
DEPTH_PRIORITY = 1                        # breadth-first within a site section, with first-in first-out
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"     # queues (a feed's entries in feed order)
SCHEDULER_DISK_QUEUE = "crawler.queues.SpillingFifoQueue"     # in memory, beyond a limit on disk (JOBDIR)
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.ScrapyPriorityQueue"  # a crawler crawls one source: one site

# Per-request work the crawl has no use for, off (each costs every page some CPU): transfer byte counts,
# HTTP auth, Referer headers, debugging aids, per-minute log lines and memory checks, feed exports.
# Robots, offsite, timeouts, retries, redirects (HTTP and meta refresh), decompression, proxies and depth stay.
# Cookies are off (COOKIES_ENABLED): their middleware is not even loaded.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsTxtCrawlDelay": 100,   # robots.txt, with its Crawl-delay kept (Scrapy's ignores it)
    "scrapy.downloadermiddlewares.stats.DownloaderStats": None,
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
}
SPIDER_MIDDLEWARES = {
    "crawler.middlewares.SkipStoredArticles": 550,
    "scrapy.spidermiddlewares.referer.RefererMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}
ITEM_PIPELINES = {
    "crawler.pipelines.CleanPipeline": 300,
    "crawler.pipelines.StorePipeline": 800,
}
EXTENSIONS = {
    "crawler.extensions.CrawlRunRecorder": 500,
    "scrapy.extensions.logstats.LogStats": None,
    "scrapy.extensions.memusage.MemoryUsage": None,
    "scrapy.extensions.feedexport.FeedExporter": None,
    "scrapy.extensions.remote_control.RemoteControl": None,  # loaded even when REMOTE_CONTROL_ENABLED is off
    "scrapy.extensions.spiderstate.SpiderState": None,  # JOBDIR holds only the frontier; spiders keep no state
}
# Scrapy 2.19 starts, per crawler (one per source), an HTTP server on localhost that runs the Python code
# posted to it (its token in a job file under ~/.local/state/scrapy): nothing a crawl service should run.
REMOTE_CONTROL_ENABLED = False
WARN_ON_GENERATOR_RETURN_VALUE = False    # a developer's check (it inspects the callback on every response)

# OpenWatch's own settings
OPENWATCH_STORE_BATCH = 100               # articles written per transaction
OPENWATCH_MIN_TEXT_CHARS = 80             # shorter main text: not an article
OPENWATCH_MAX_CRAWL_DELAY = 60            # a robots.txt Crawl-delay is kept up to this many seconds
OPENWATCH_FRONTIER_IN_MEMORY = 1000       # pending requests per source kept in memory; the rest wait on disk
OPENWATCH_EXTRACT_WORKERS = 0            # extraction processes; 0: in-process (workers pay off only with idle cores)
OPENWATCH_EXTRACT_WORKERS_AFTER = 100     # pages extracted in-process before the workers start: a small crawl
                                          # (a feed's few new entries) never waits for their start-up (~1 s)

LOG_LEVEL = "WARNING"
LOG_INSTALL_ROOT_HANDLER = False
