-- What a member needs to top up their wallet: the guarantee fund's bank account (IBAN and
-- holder, set by the treasurer) and where the exchange points are and when they open (free
-- text: the ledger keeps no places of its own).
alter table currency add column bank_iban text not null default '';
alter table currency add column bank_holder text not null default '';
alter table currency add column exchange_points text not null default '';
