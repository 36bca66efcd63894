package io.dialectica.service.reactive;

import io.smallrye.mutiny.Uni;
import jakarta.annotation.Priority;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

/**
 * Detaches the returned {@code Uni} from its subscriber's cancellation: {@code memoize()} subscribes
 * upstream once and a cancelled subscriber only stops listening, so the session or transaction opened
 * by the inner interceptors ({@code @WithTransaction}, {@code @WithSession}) always completes and gives
 * its connection back. Runs before (outside) them: a lower priority than Hibernate Reactive Panache's.
 */
@RunsToCompletion
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_BEFORE)
public class RunsToCompletionInterceptor {

    @AroundInvoke
    Object detachFromCancellation(InvocationContext context) throws Exception {
        Object result = context.proceed();
        if (result instanceof Uni<?> uni) {
            return uni.memoize().indefinitely();
        }
        return result;
    }
}
