"""Numbered schema migrations; each runs once, in order, inside one transaction.

Add a migration by appending to ``MIGRATIONS``; never edit one that has shipped, because stores
created by earlier versions have already applied it.
"""

from __future__ import annotations

MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (
        1,
        "canonical tables",
        """
        create table meta (key varchar primary key, value varchar);
        insert into meta values ('data_version', '0');

        create table ingest_batches (
            batch_id      varchar primary key,
            source        varchar not null,   -- file or folder name as the user gave it
            format        varchar not null,   -- adapter that read it
            content_hash  varchar not null,   -- sha256 of the bytes read, for idempotency
            status        varchar not null,   -- loaded | empty | failed
            started_at    timestamp not null,
            finished_at   timestamp,
            rows_read     bigint,
            rows_loaded   bigint,
            rows_quarantined bigint,
            rows_duplicate bigint,
            report        json
        );

        create table users (
            user_id     varchar primary key,  -- HMAC-SHA256 pseudonym, never the raw id
            first_seen  timestamp,
            country     varchar,
            city        varchar,
            attributes  json,
            batch_id    varchar not null
        );

        create table items (
            item_id     varchar primary key,
            title       varchar,
            category    varchar,
            description varchar,
            price       double,
            language    varchar,
            batch_id    varchar not null
        );

        create table events (
            event_id    varchar primary key,  -- hash of the record, so re-ingesting adds nothing
            user_id     varchar,
            item_id     varchar,
            event_type  varchar not null,
            ts          timestamp not null,
            quantity    double,
            value       double,
            query       varchar,
            batch_id    varchar not null
        );

        create table reviews (
            review_id   varchar primary key,
            user_id     varchar,
            item_id     varchar,
            rating      tinyint,
            title       varchar,
            text        varchar,
            ts          timestamp,
            language    varchar,
            label       varchar,              -- a label shipped with the data (negative/neutral/positive)
            batch_id    varchar not null
        );

        create table quarantine (
            batch_id    varchar not null,
            file        varchar not null,
            row_number  bigint,
            field       varchar,
            reason      varchar not null,
            record      json
        );

        create table jobs (
            job_id      varchar primary key,
            kind        varchar not null,
            status      varchar not null,     -- queued | running | done | failed | cancelled
            progress    double default 0,
            message     varchar,
            params      json,
            device      varchar,
            provenance  json,
            error       varchar,
            created_at  timestamp not null,
            started_at  timestamp,
            finished_at timestamp
        );

        create table runs (
            run_id       varchar primary key,
            kind         varchar not null,    -- encode | sentiment | keywords | segments ...
            job_id       varchar,
            model        varchar,
            params       json,
            seed         integer,
            data_version integer not null,
            created_at   timestamp not null,
            is_current   boolean not null default false
        );
        """,
    ),
    (
        2,
        "text intelligence: embeddings, sentiment, keywords",
        """
        -- Content-addressed cache: a text is encoded once per model, whatever row it came from.
        create table embeddings (
            model       varchar not null,
            text_hash   varchar not null,     -- md5 of the text as encoded (before the model's prefix)
            vector      float[] not null,     -- L2-normalised
            created_at  timestamp not null default current_timestamp,
            primary key (model, text_hash)
        );

        create table sentiment_models (
            version     varchar primary key,  -- e.g. head-20261122-0530-ab12
            encoder     varchar not null,
            created_at  timestamp not null,
            trained_on  json,                 -- sources and row counts per language and class
            metrics     json,                 -- held-out accuracy / macro-F1 per language
            head        blob not null         -- the fitted classifier head (pickled scikit-learn model)
        );

        create table sentiment_scores (
            run_id      varchar not null,
            review_id   varchar not null,
            label       varchar not null,     -- negative | neutral | positive
            score       double not null,      -- P(positive) - P(negative), in [-1, 1]
            p_negative  double, p_neutral double, p_positive double,
            method      varchar not null,     -- model version, or 'lexicon' where the model could not score
            primary key (run_id, review_id)
        );

        create table keyword_scores (
            run_id      varchar not null,
            group_kind  varchar not null,     -- all | category | item | language | sentiment
            group_value varchar,
            keyword     varchar not null,
            weight      double not null,      -- c-TF-IDF
            count       integer
        );

        create table keyword_trends (
            run_id      varchar not null,
            period      date not null,
            keyword     varchar not null,
            count       integer not null,
            share       double not null       -- share of the period's reviews that use the keyword
        );

        create table keyword_bursts (
            run_id      varchar not null,
            keyword     varchar not null,
            period      date not null,
            count       integer,
            baseline    double,
            score       double,
            direction   varchar               -- rising | fading
        );
        """,
    ),
    (
        3,
        "interest profiles, segments and audiences",
        """
        create table user_profiles (
            run_id      varchar not null,
            user_id     varchar not null,
            vector      float[] not null,     -- L2-normalised interest vector
            touches     integer not null,     -- events, reviews and searches that shaped it
            cold_start  boolean not null,     -- too little behaviour: built from whatever text there is
            drift       double,               -- 1 - cosine between the last two active months
            keywords    varchar,              -- top interest keywords, comma-separated
            primary key (run_id, user_id)
        );
        create table user_interests (
            run_id      varchar not null,
            user_id     varchar not null,
            interest    integer not null,     -- 0 = strongest
            weight      double not null,      -- share of the user's weighted behaviour
            vector      float[] not null
        );
        create table user_periods (
            run_id      varchar not null,
            user_id     varchar not null,
            period      date not null,        -- month start
            vector      float[] not null,
            touches     integer not null,
            drift       double                -- 1 - cosine to the user's previous active month
        );
        create table segments (
            run_id      varchar not null,
            segment_id  integer not null,     -- stable across runs
            size        integer not null,
            label       varchar not null,     -- a readable name: the top keywords
            keywords    varchar,
            categories  varchar,
            centroid    float[] not null,
            primary key (run_id, segment_id)
        );
        create table segment_members (
            run_id      varchar not null,
            user_id     varchar not null,
            segment_id  integer not null,     -- -1: outlier
            x double, y double,               -- 2-D map
            probability double,
            primary key (run_id, user_id)
        );
        create table segment_history (
            run_id      varchar not null,
            user_id     varchar not null,
            period      date not null,
            segment_id  integer not null      -- nearest segment of the user's profile that month (-1: none close)
        );
        create table segment_events (
            run_id      varchar not null,
            kind        varchar not null,     -- kept | birth | death | split | merge
            segment_id  integer,              -- the stable id the event is about
            previous_ids varchar,
            similarity  double
        );
        create table audiences (
            audience_id varchar primary key,
            name        varchar not null,
            created_at  timestamp not null,
            definition  json not null         -- how it was built (e.g. a lasso on a segments run)
        );
        create table audience_members (
            audience_id varchar not null,
            user_id     varchar not null,
            primary key (audience_id, user_id)
        );
        """,
    ),
    (
        4,
        "audience builds: what a built audience was evaluated on",
        """
        -- One row per audience made by the builder (a lasso selection has none): the data version and
        -- segments run its members were evaluated on, so it can say it is stale and be refreshed.
        create table audience_builds (
            audience_id  varchar primary key,
            data_version integer not null,
            segments_run varchar,
            refreshed_at timestamp not null
        );
        """,
    ),
    (
        5,
        "review topics: the segmentation pipeline over review texts",
        """
        create table topics (
            run_id      varchar not null,
            topic_id    integer not null,     -- stable across runs
            size        integer not null,
            label       varchar not null,     -- a readable name: the top keywords
            keywords    varchar,
            centroid    float[] not null,
            primary key (run_id, topic_id)
        );
        create table topic_members (
            run_id      varchar not null,
            review_id   varchar not null,
            topic_id    integer not null,     -- -1: outlier
            x double, y double,               -- 2-D map
            probability double,
            primary key (run_id, review_id)
        );
        """,
    ),
    (
        6,
        "access log: who looked at which person, when",
        """
        -- One row per individual-level look (a user's profile, a list of reviews or users with ids),
        -- written when it is shown, so an admin can answer "who looked at this customer?".
        create table access_log (
            seen_at  timestamp not null,
            actor    varchar not null,   -- the signed-in e-mail address, or 'local' without sign-in
            role     varchar not null,
            action   varchar not null,   -- what was looked at: user profile, review list, user list ...
            subject  varchar not null,   -- a pseudonymous user id, or what the list was narrowed to
            page     varchar
        );
        """,
    ),
    (
        7,
        "quarantine keeps no raw user id or attributes",
        """
        -- Quarantined rows used to keep the source's raw user id (an e-mail address, say) and the
        -- user's attributes verbatim. The key that would turn an id into its pseudonym is not known
        -- here, so earlier records lose both (every record is earlier: the migration runs once, before
        -- any batch of this version); rows quarantined from now on carry the pseudonym.
        update quarantine
        set record = json_merge_patch(record, '{"user_id": "[raw id removed]"}')
        where json_extract_string(record, '$.user_id') is not null;
        update quarantine
        set record = json_merge_patch(record, '{"attributes": "[removed: may hold personal data]"}')
        where json_extract_string(record, '$.attributes') is not null;
        """,
    ),
    (
        8,
        "each profiled user's main language",
        """
        -- The language most of a user's touched texts are in. Interest matches and lookalikes are
        -- calibrated within each language, so that no language's users are favoured for sharing
        -- the query's or the seed's language; profiles of earlier runs have none (one group).
        alter table user_profiles add column language varchar;
        """,
    ),
    (
        9,
        "events without a primary-key index",
        """
        -- A primary key keeps an index of every event id in memory while a batch is written, and
        -- DuckDB cannot move that index to disk inside the batch's transaction: a 30-million-row
        -- batch held ~7 GiB. Events are the one table that size; an event's id is still the hash
        -- of the record, and ingest skips ids already stored by an anti-join instead
        -- (insight.store.staging.publish), so re-ingesting still adds nothing.
        create table events_unindexed (
            event_id    varchar not null,
            user_id     varchar,
            item_id     varchar,
            event_type  varchar not null,
            ts          timestamp not null,
            quantity    double,
            value       double,
            query       varchar,
            batch_id    varchar not null
        );
        insert into events_unindexed
            select event_id, user_id, item_id, event_type, ts, quantity, value, query, batch_id from events;
        drop table events;
        alter table events_unindexed rename to events;
        """,
    ),
    (
        10,
        "staging tables for large batches",
        """
        -- A batch is written a slice at a time into these (each slice its own transaction, so
        -- memory stays bounded: DuckDB holds everything a transaction appends until it commits),
        -- then moved into the real tables by one transaction, so readers see all of a batch or
        -- none of it. Rows here belong to a batch still being written, or to one that died.
        create table staged_users as select * from users limit 0;
        create table staged_items as select * from items limit 0;
        create table staged_events as select * from events limit 0;
        create table staged_reviews as select * from reviews limit 0;
        create table staged_quarantine as select * from quarantine limit 0;
        """,
    ),
    (
        11,
        "daily event summary",
        """
        -- Events counted per day, item category, item language and event type, kept by ingest in
        -- the batch's own transaction (insight.store.summaries): the Overview's counts, purchases
        -- and revenue are sums over this table instead of scans of every event. Events whose item
        -- is unknown count under a null category and language, as they do in the raw filters.
        create table event_days (
            day         date not null,
            category    varchar,
            language    varchar,
            event_type  varchar not null,
            events      bigint not null,
            value       double
        );
        insert into event_days
            select e.ts::date, i.category, i.language, e.event_type, count(*), sum(e.value)
              from events e left join items i using (item_id)
             group by all;
        """,
    ),
    (
        12,
        "per-user facts",
        """
        -- One row per person an audience can hold (users rows, and anyone with events or reviews),
        -- with their event, purchase and review counts, kept by ingest in the batch's own
        -- transaction (insight.store.summaries): audiences and the Overview's active users read
        -- it instead of re-deriving everyone from millions of events on each question.
        create table user_facts (
            user_id       varchar not null,
            events        bigint not null,
            orders        bigint not null,
            spend         double not null,
            last_purchase timestamp,
            reviews       bigint not null
        );
        insert into user_facts
            with people as (select user_id from users
                            union select user_id from events where user_id is not null
                            union select user_id from reviews where user_id is not null),
                 did as (select user_id, count(*) as events,
                                count(*) filter (where event_type = 'purchase') as orders,
                                coalesce(sum(coalesce(value, 0)) filter (where event_type = 'purchase'), 0) as spend,
                                max(ts) filter (where event_type = 'purchase') as last_purchase
                           from events where user_id is not null group by user_id),
                 wrote as (select user_id, count(*) as reviews from reviews where user_id is not null group by user_id)
            select p.user_id, coalesce(d.events, 0), coalesce(d.orders, 0), coalesce(d.spend, 0), d.last_purchase,
                   coalesce(w.reviews, 0)
              from people p left join did d using (user_id) left join wrote w using (user_id);
        """,
    ),
    (
        13,
        "API keys, served lists and feedback",
        """
        -- Keys for /api/v1: only a hash of each key's secret is kept (the key is printed once).
        create table api_keys (
            key_id     varchar primary key,
            name       varchar not null,
            scope      varchar not null,
            secret_sha varchar not null,
            created_at timestamp not null,
            revoked_at timestamp
        );
        -- Every list the API served, item by item, with the chance the policy had of showing it,
        -- so feedback can be joined to what was shown and alternative policies judged on the log.
        create table served_lists (
            request_id  varchar primary key,
            user_id     varchar not null,
            policy      varchar not null,
            exploration double not null,
            served_at   timestamp not null
        );
        create table served_items (
            request_id varchar not null,
            rank       integer not null,
            item_id    varchar not null,
            kind       varchar not null,
            score      double,
            propensity double not null
        );
        -- Shoppers' reactions posted by the shop's systems; event_id makes a replayed batch add nothing.
        create table feedback (
            event_id    varchar primary key,
            request_id  varchar,
            user_id     varchar not null,
            item_id     varchar not null,
            type        varchar not null,
            ts          timestamp not null,
            value       double,
            received_at timestamp not null
        );
        """,
    ),
    (
        14,
        "audience exports, for campaign results against their holdout",
        """
        -- Each audience file handed out: when, with which holdout share and seed, and who was in which
        -- group, so the campaign can be measured afterwards even if the audience is refreshed or deleted.
        create table audience_exports (
            export_id     varchar primary key,
            name          varchar not null,
            exported_at   timestamp not null,
            holdout_share double not null,
            seed          integer not null,
            users         integer not null
        );
        create table export_members (
            export_id varchar not null,
            user_id   varchar not null,
            grp       varchar not null          -- target or holdout
        );
        """,
    ),
    (
        15,
        "how each exploration slot was chosen",
        """
        -- For an exploration slot: its area, the chance the policy had of exploring that area in that
        -- list, the areas it could have explored and how many slots explored: enough to judge another
        -- exploration policy (uniform, say) on the real log by importance weighting.
        alter table served_items add column area integer;
        alter table served_items add column area_chance double;
        alter table served_items add column candidates integer[];
        alter table served_items add column n_explore integer;
        """,
    ),
    (
        16,
        "review aspects: clauses, aspects per category, alerts and the merchant's edits",
        """
        -- Aspects are found per product category from review clauses; ids are stable across runs.
        create table aspects (
            run_id    varchar not null,
            aspect_id integer not null,
            category  varchar not null,
            label     varchar not null,
            keywords  varchar,
            words     varchar,                   -- JSON: language -> words, for names in every language
            mentions  integer not null,
            seeded    boolean not null default false,
            centroid  float[]
        );
        -- One row per clause of a review: where it is in the review text, its aspect (-1: none) and feeling.
        create table aspect_mentions (
            run_id     varchar not null,
            review_id  varchar not null,
            clause     integer not null,
            start_char integer not null,
            end_char   integer not null,
            aspect_id  integer not null,
            label      varchar not null,         -- negative, neutral or positive
            score      double not null
        );
        create table aspect_alerts (
            run_id         varchar not null,
            alert_id       integer not null,
            item_id        varchar not null,
            aspect_id      integer not null,
            kind           varchar not null,     -- spike (against its own history) or level (against its category)
            start          date not null,
            negative_share double not null,
            baseline       double not null,
            category_share double,
            reviews        integer not null,
            negatives      integer not null,
            p_value        double not null,
            segments       varchar               -- JSON list: the segments most affected
        );
        -- What a merchant changed: a new name, an aspect folded into another, or an aspect seeded with words.
        create table aspect_edits (
            edit_id    varchar primary key,
            kind       varchar not null,         -- rename, merge, split or seed
            category   varchar not null,
            aspect_id  integer,
            into_id    integer,
            label      varchar,
            phrases    varchar,                  -- JSON list of words or example phrases (seed)
            created_at timestamp not null
        );
        """,
    ),
    (
        17,
        "monthly profiles keep their drift, not their vectors",
        """
        -- Nothing read the monthly vectors back (drift and the month's nearest segment are stored), and a
        -- year of 200,000 users made 2.4 million of them: 3.7 GB of every segments run.
        alter table user_periods drop column vector;
        """,
    ),
)
