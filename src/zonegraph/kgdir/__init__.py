"""The KG directory on disk: where its parts are (layout), how a change lands whole
(journal and lock), the content-keyed cache, the canonical formatting of its files
(``zonegraph fmt``) and the parsed-file cache.  Knows files, not stores or validation."""
