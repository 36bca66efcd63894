package io.dialectica.gateway;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.dialectica.testsupport.JwtTestResource;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What crosses the gateway, in both directions, and which backend it goes to. */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(BackendsTestResource.class)
class ForwardingTest {

    static final String UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    @InjectWireMock
    WireMockServer backend;

    String token;

    @BeforeEach
    void reset() {
        backend.resetRequests();
        token = TestJwt.user("forwarding-" + UUID.randomUUID());
    }

    @Test
    void forwardsMethodPathQueryBodyAndHeadersAndRelaysTheAnswer() {
        String body = "{\"name\":\"Being, Nothing, Becoming\",\"visibility\":\"PUBLIC\"}";
        backend.stubFor(post(urlPathEqualTo("/api/concepts")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json")
                .withHeader("Location", "http://gateway.example/api/concepts/42")
                .withHeader("ETag", "\"1\"")
                .withHeader("X-Consistency-Token", "lsn-0/16B3748")
                .withHeader("Proxy-Authenticate", "Basic realm=backend")
                .withHeader("X-Request-Id", "the-backend-must-not-choose-the-id")
                .withBody("{\"id\":\"42\"}")));

        given().auth().oauth2(token).urlEncodingEnabled(false)
                .contentType("application/json; charset=UTF-8")
                .accept("application/json")
                .header("If-Match", "\"7\"")
                .header("If-None-Match", "\"8\"")
                .header("X-Request-Id", "client-chosen-id-1")
                .header("X-Forwarded-Host", "evil.example")
                .header("X-Forwarded-Proto", "gopher")
                .header("Proxy-Authorization", "Basic c2VjcmV0")
                .header("X-Custom", "passes")
                .body(body)
                .when().post("/api/concepts?tradition=German%20Idealism&sort=name&tag=a&tag=b")
                .then().statusCode(201)
                .contentType("application/json")
                .header("Location", "http://gateway.example/api/concepts/42")
                .header("ETag", "\"1\"")
                .header("X-Consistency-Token", "lsn-0/16B3748")
                .header("X-Request-Id", "client-chosen-id-1")
                .header("Proxy-Authenticate", nullValue())
                .header("X-RateLimit-Limit", "10000")
                .header("X-RateLimit-Remaining", "9999")
                .body(org.hamcrest.Matchers.equalTo("{\"id\":\"42\"}"));

        LoggedRequest seen = only(backend.findAll(anyRequestedFor(urlPathEqualTo("/api/concepts"))));
        assertEquals("POST", seen.getMethod().value());
        assertEquals("/api/concepts?tradition=German%20Idealism&sort=name&tag=a&tag=b", seen.getUrl());
        assertEquals(body, seen.getBodyAsString());
        assertEquals("Bearer " + token, seen.getHeader("Authorization"));
        assertEquals("application/json; charset=UTF-8", seen.getHeader("Content-Type"));
        assertEquals("application/json", seen.getHeader("Accept"));
        assertEquals("\"7\"", seen.getHeader("If-Match"));
        assertEquals("\"8\"", seen.getHeader("If-None-Match"));
        assertEquals("passes", seen.getHeader("X-Custom"));
        assertEquals("client-chosen-id-1", seen.getHeader("X-Request-Id"));
        assertEquals("http", seen.getHeader("X-Forwarded-Proto"));
        assertTrue(seen.getHeader("X-Forwarded-Host").matches("(localhost|127\\.0\\.0\\.1):" + io.restassured.RestAssured.port), seen.getHeader("X-Forwarded-Host"));
        assertTrue(seen.getHeader("X-Forwarded-For").endsWith("127.0.0.1"), seen.getHeader("X-Forwarded-For"));
        assertFalse(seen.containsHeader("Proxy-Authorization"));
        assertEquals(Integer.toString(body.length()), seen.getHeader("Content-Length"));
    }

    @Test
    void relaysBackendRefusalsAsTheyAre() {
        String problem = "{\"type\":\"urn:dialectica:problem:precondition-failed\",\"title\":\"Precondition Failed\",\"status\":412}";
        backend.stubFor(put(urlEqualTo("/api/concepts/42")).withHeader("If-Match", equalTo("\"1\""))
                .willReturn(aResponse().withStatus(412).withHeader("Content-Type", "application/problem+json")
                        .withHeader("ETag", "\"2\"").withBody(problem)));
        given().auth().oauth2(token).contentType("application/json").header("If-Match", "\"1\"").body("{}")
                .when().put("/api/concepts/42")
                .then().statusCode(412).contentType("application/problem+json").header("ETag", "\"2\"")
                .body(org.hamcrest.Matchers.equalTo(problem));

        backend.stubFor(get(urlEqualTo("/api/concepts/missing")).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/problem+json").withBody("{\"status\":404}")));
        given().auth().oauth2(token).when().get("/api/concepts/missing")
                .then().statusCode(404).body(org.hamcrest.Matchers.equalTo("{\"status\":404}"));
    }

    @Test
    void relaysABackendServerErrorAsItIs() {
        backend.stubFor(get(urlEqualTo("/api/concepts/broken")).willReturn(aResponse().withStatus(500)
                .withHeader("Content-Type", "application/problem+json").withBody("{\"status\":500,\"title\":\"from the backend\"}")));
        given().auth().oauth2(token).when().get("/api/concepts/broken")
                .then().statusCode(500).body("title", org.hamcrest.Matchers.equalTo("from the backend"));
    }

    @Test
    void relaysEmptyAnswersAndRedirectsWithoutFollowingThem() {
        backend.stubFor(delete(urlEqualTo("/api/concepts/42")).willReturn(aResponse().withStatus(204)));
        given().auth().oauth2(token).header("If-Match", "\"3\"").when().delete("/api/concepts/42")
                .then().statusCode(204).body(emptyOrNullString());

        backend.stubFor(get(urlEqualTo("/api/concepts/old")).willReturn(aResponse().withStatus(301)
                .withHeader("Location", "/api/concepts/new")));
        given().auth().oauth2(token).redirects().follow(false).when().get("/api/concepts/old")
                .then().statusCode(301).header("Location", "/api/concepts/new");
        backend.verify(0, getRequestedFor(urlEqualTo("/api/concepts/new")));
    }

    @Test
    void routesRelationTypesToo() {
        backend.stubFor(get(urlEqualTo("/api/relation-types")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("[{\"code\":\"SUBLATES\"}]")));
        given().auth().oauth2(token).when().get("/api/relation-types")
                .then().statusCode(200).body("[0].code", org.hamcrest.Matchers.equalTo("SUBLATES"));
    }

    @Test
    void unknownApiPathsAreNotFoundProblems() {
        for (String path : List.of("/api/unknown", "/api/conceptsX", "/api", "/api/", "/api/graphs", "/api/jobsearch", "/api/concepts-theses")) {
            given().auth().oauth2(token).when().get(path)
                    .then().statusCode(404)
                    .contentType(startsWith("application/problem+json"))
                    .body("status", org.hamcrest.Matchers.equalTo(404))
                    .body("type", org.hamcrest.Matchers.equalTo("urn:dialectica:problem:not-found"))
                    .body("title", org.hamcrest.Matchers.equalTo("Not Found"))
                    .body("detail", containsString(path))
                    .body("instance", org.hamcrest.Matchers.equalTo(path));
        }
        backend.verify(0, anyRequestedFor(urlPathMatching("/api.*")));
    }

    @Test
    void requestIdIsGeneratedWhenAbsent() {
        backend.stubFor(get(urlEqualTo("/api/concepts/rid")).willReturn(aResponse().withStatus(200)));
        Response response = given().auth().oauth2(token).when().get("/api/concepts/rid");
        response.then().statusCode(200).header("X-Request-Id", matchesPattern(UUID_PATTERN));
        String sent = only(backend.findAll(getRequestedFor(urlEqualTo("/api/concepts/rid")))).getHeader("X-Request-Id");
        assertEquals(response.header("X-Request-Id"), sent);
    }

    @Test
    void insaneRequestIdsAreReplaced() {
        backend.stubFor(get(urlEqualTo("/api/concepts/rid")).willReturn(aResponse().withStatus(200)));
        for (String bad : List.of("has spaces in it", "x".repeat(129), "<script>alert(1)</script>", "semi;colon", "")) {
            backend.resetRequests();
            Response response = given().auth().oauth2(token).header("X-Request-Id", bad).when().get("/api/concepts/rid");
            response.then().statusCode(200).header("X-Request-Id", matchesPattern(UUID_PATTERN));
            assertEquals(response.header("X-Request-Id"),
                    only(backend.findAll(getRequestedFor(urlEqualTo("/api/concepts/rid")))).getHeader("X-Request-Id"));
        }
        String longest = "a".repeat(128);
        given().auth().oauth2(token).header("X-Request-Id", longest).when().get("/api/concepts/rid")
                .then().header("X-Request-Id", longest);
    }

    @Test
    void requestIdIsOnGatewayRefusalsAndPublicEndpointsToo() {
        given().header("X-Request-Id", "refused-1").when().get("/api/concepts")
                .then().statusCode(401).header("X-Request-Id", "refused-1").body("requestId", org.hamcrest.Matchers.equalTo("refused-1"));
        given().when().get("/q/health/live").then().statusCode(200).header("X-Request-Id", matchesPattern(UUID_PATTERN));
    }

    @Test
    void headRequestsKeepTheBackendsContentLength() {
        backend.stubFor(any(urlEqualTo("/api/concepts/42")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withHeader("Content-Length", "17")));
        given().auth().oauth2(token).when().head("/api/concepts/42")
                .then().statusCode(200).header("Content-Length", "17");
    }

    @Test
    void corsPreflightIsAnsweredForAllowedOrigins() {
        given().header("Origin", "http://localhost:5173")
                .header("Access-Control-Request-Method", "PUT")
                .header("Access-Control-Request-Headers", "authorization,content-type,if-match,idempotency-key,x-consistency-token")
                .when().options("/api/concepts/42")
                .then().statusCode(200)
                .header("Access-Control-Allow-Origin", "http://localhost:5173")
                .header("Access-Control-Allow-Methods", containsString("PUT"))
                .header("Access-Control-Allow-Headers", containsString("If-Match"))
                .header("Access-Control-Allow-Headers", containsString("Idempotency-Key"))
                .header("Access-Control-Allow-Headers", containsString("X-Consistency-Token"));
        backend.verify(0, anyRequestedFor(urlPathMatching("/api.*")));

        given().header("Origin", "https://elsewhere.example")
                .header("Access-Control-Request-Method", "DELETE")
                .when().options("/api/concepts/42")
                .then().header("Access-Control-Allow-Origin", nullValue());
    }

    @Test
    void corsExposesTheHeadersBrowsersNeed() {
        backend.stubFor(get(urlEqualTo("/api/concepts/42")).willReturn(aResponse().withStatus(200).withHeader("ETag", "\"1\"")));
        given().auth().oauth2(token).header("Origin", "http://localhost:5173").when().get("/api/concepts/42")
                .then().statusCode(200)
                .header("Access-Control-Allow-Origin", "http://localhost:5173")
                .header("Access-Control-Expose-Headers", containsString("ETag"))
                .header("Access-Control-Expose-Headers", containsString("Location"))
                .header("Access-Control-Expose-Headers", containsString("X-Request-Id"))
                .header("Access-Control-Expose-Headers", containsString("Retry-After"));
    }

    static LoggedRequest only(List<LoggedRequest> requests) {
        assertEquals(1, requests.size(), "requests seen by the backend: " + requests);
        return requests.get(0);
    }
}
