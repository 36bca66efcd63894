package io.dialectica.contracts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.dialectica.contracts.rows.MembershipRow;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChangeEnvelopeTest {

    private final ObjectMapper mapper = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();

    @Test
    void roundTripsThroughJson() throws Exception {
        UUID concept = UUID.randomUUID();
        Map<String, Object> after = new LinkedHashMap<>();
        after.put("id", UUID.randomUUID().toString());
        after.put("concept_id", concept.toString());
        after.put("category_id", UUID.randomUUID().toString());
        after.put("weight", 0.5);
        after.put("x", 1.0);
        after.put("y", -2.0);
        ChangeEnvelope envelope = ChangeEnvelope.change(Tables.CONCEPT_CATEGORIES, Operation.CREATE, concept.toString(),
                null, after, 0x16B374D848L, 0x16B374D900L, 771, Instant.parse("2026-11-23T07:25:51.123456Z"), 1, 3, 5,
                false, Instant.parse("2026-11-23T07:25:51.130Z"));

        String json = mapper.writeValueAsString(envelope);
        assertTrue(json.contains("\"op\":\"c\""), json);
        assertTrue(json.contains("\"kind\":\"change\""), json);
        assertTrue(json.contains("\"commitTime\":\"2026-11-23T07:25:51.123456Z\""), json);
        ChangeEnvelope read = mapper.readValue(json, ChangeEnvelope.class);
        assertEquals(envelope, read);
        assertFalse(read.closesGroup());

        MembershipRow row = mapper.convertValue(read.after(), MembershipRow.class);
        assertEquals(concept, row.conceptId());
        assertEquals(0.5, row.weight());
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        String json = "{\"v\":2,\"kind\":\"watermark\",\"lsn\":10,\"commitLsn\":10,\"txId\":5,"
                + "\"commitTime\":\"2026-11-23T07:25:51Z\",\"txIndex\":0,\"txSize\":0,\"txEvents\":0,"
                + "\"snapshot\":false,\"capturedAt\":\"2026-11-23T07:25:52Z\",\"somethingNew\":true}";
        ChangeEnvelope read = mapper.readValue(json, ChangeEnvelope.class);
        assertTrue(read.isWatermark());
        assertFalse(read.closesGroup());
        assertEquals(10, read.commitLsn());
    }

    @Test
    void lsnTextAndNumbers() {
        assertEquals(0x16B374D848L, Lsn.parse("16/B374D848"));
        assertEquals(0x16B374D848L, Lsn.parse("16/b374d848"));
        assertEquals("16/B374D848", Lsn.format(0x16B374D848L));
        assertEquals("0/0", Lsn.format(0));
        assertEquals(0x1_0000_0000L, Lsn.parse("1/0"));
        assertThrows(IllegalArgumentException.class, () -> Lsn.parse("16B374D848"));
        assertThrows(IllegalArgumentException.class, () -> Lsn.parse("/1"));
        assertThrows(IllegalArgumentException.class, () -> Lsn.parse("zz/1"));
    }

    @Test
    void consistencyRule() {
        assertTrue(ConsistencyToken.coversConcept(Lsn.parse("0/1000"), "0/1000"));
        assertTrue(ConsistencyToken.coversConcept(Lsn.parse("1/0"), "0/FFFFFFFF"));
        assertFalse(ConsistencyToken.coversConcept(Lsn.parse("0/FFF"), "0/1000"));
        assertFalse(ConsistencyToken.coversConcept(0, "0/1"));
        assertTrue(ConsistencyToken.coversWatermark(Lsn.parse("0/2000"), "0/1000"));
    }
}
