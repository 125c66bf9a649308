-- grain: one row per agency that a record of marts.person_outcomes can involve: the
-- agencies of marts.fct_referrals' involves_<agency> flags and the receiving agencies of
-- marts.agency_referrals. agency_bit: the agency's bit in person_outcomes.agency_bits,
-- 1 for the first agency by name, 2 for the second, 4 for the third and so on, so the
-- agencies of a set of bits in the order of their bits are sorted by name.
-- Nothing here names an agency: the flags are found by column name, and one referral
-- (every flag is true or false, never null) gives every flag's name.
with

referrals as (

    select * from marts.fct_referrals

),

agency_referrals as (

    select * from marts.agency_referrals

),

involvement as (

    unpivot (
        select columns('^involves_')
        from referrals
        limit 1  -- noqa: AM09
    )
    on columns(*)
    into name involvement_column value is_involved

),

agencies as (

    select substr(involvement_column, length('involves_') + 1) as agency
    from involvement

    union

    select agency
    from agency_referrals
    where agency is not null

),

final as (

    select
        agency,
        1::bigint << (row_number() over (order by agency) - 1)::int as agency_bit
    from agencies

)

select * from final
