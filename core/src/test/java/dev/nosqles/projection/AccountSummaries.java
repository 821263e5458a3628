package dev.nosqles.projection;

import dev.nosqles.aggregate.EventEnvelope;
import dev.nosqles.testsupport.BankAccount;
import java.time.Instant;

/** A test read model: one summary row per bank account, indexed by owner (newest first) and by standing. */
public final class AccountSummaries {
    private AccountSummaries() {
    }

    public enum Standing { EMPTY, IN_CREDIT }

    public record AccountSummary(String accountId, String owner, long balance, int deposits, Standing standing,
                                 Instant openedAt, Instant changedAt) {
    }

    public static final String BY_OWNER = "by-owner";
    public static final String BY_STANDING = "by-standing";

    public static Projection<AccountSummary> projection() {
        return projection(1);
    }

    public static Projection<AccountSummary> projection(int version) {
        return Projection.builder("account-summaries", AccountSummary.class, AccountSummary::accountId)
                .version(version)
                .index(BY_OWNER, AccountSummary::owner, row -> row.openedAt() + "#" + row.accountId())
                .index(BY_STANDING, row -> row.standing().name(), AccountSummary::accountId)
                .on(new BankAccount(), AccountSummaries::project)
                .build();
    }

    private static void project(EventEnvelope<BankAccount.Event> e, Rows<AccountSummary> rows) {
        String id = e.streamId().id();
        switch (e.event()) {
            case BankAccount.Opened o -> rows.put(new AccountSummary(id, o.owner(), 0, 0, Standing.EMPTY,
                    e.timestamp(), e.timestamp()));
            case BankAccount.Deposited d -> rows.update(id, r -> new AccountSummary(id, r.owner(),
                    r.balance() + d.amount(), r.deposits() + 1, standing(r.balance() + d.amount()), r.openedAt(),
                    e.timestamp()));
            case BankAccount.Withdrawn w -> rows.update(id, r -> new AccountSummary(id, r.owner(),
                    r.balance() - w.amount(), r.deposits(), standing(r.balance() - w.amount()), r.openedAt(),
                    e.timestamp()));
        }
    }

    static Standing standing(long balance) {
        return balance == 0 ? Standing.EMPTY : Standing.IN_CREDIT;
    }
}
