-- One source of truth for which listings accept the local currency: the wallet. The directory's
-- flag is now written only when a listing opens its account; align the stored flags with the
-- accounts that exist (a flag set by a form or an import without an account is cleared).
update business
set accepts_local_currency = exists (
    select 1 from ledger_account a
    where a.kind = 'business' and a.owner_id = business.id and a.territory_id = business.territory_id
);
