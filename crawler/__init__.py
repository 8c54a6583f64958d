"""Crawler: a Scrapy project (spiders, items, pipelines, settings) plus page cleaning and normalization."""
