// graft's native float32 kernels: oneDNN (2.x API) primitives behind Node-API.
//
// Every primitive is created once, from a geometry the JS side computed (graft's conv geometry:
// NHWC activations, HWIO filters, TensorFlow dilations counted from 1, pads per side), and then
// run any number of times on Float32Arrays that the caller owns: the executor's arena views, read
// and written in place (oneDNN gets their data pointers; nothing is copied on the way in or out).
//
// Layouts: activations stay NHWC (oneDNN's `nhwc` tag over logical NCHW dims), so no activation
// is reordered. Filters are declared with format `any`, which lets oneDNN pick its blocked layout
// (declared plain, it falls back to slower gemm-based kernels); the HWIO → blocked reorder (and
// blocked → HWIO for the filter gradient) is a primitive created with the conv and run per call.
// Grouped convs (TensorFlow's feature_group_count; a depthwise conv is the case of one input
// channel per group) give the filter a group dimension: graft's `[kh, kw, Ci/G, Co]` with output
// channels split contiguously by group is `[kh, kw, Ci/G, G, Co/G]`, oneDNN's `hwigo` over
// logical (G, Co/G, Ci/G, kh, kw) dims.
// The backward primitives are created with the forward-training descriptor as their hint, as
// oneDNN requires. oneDNN counts dilation from 0: TensorFlow's d is oneDNN's d − 1.
//
// Threads: Debian's oneDNN uses OpenMP; `omp_set_num_threads` sets the calling thread's team
// size, so each primitive carries its own thread count and sets it before it is created and
// before each run (kernels are only ever called from the JS thread).
#include <napi.h>
#include <omp.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "dnnl.hpp"

namespace {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

dnnl::engine& cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpuStream() {
  static dnnl::stream stream(cpuEngine());
  return stream;
}

int64_t intField(const Napi::Object& o, const char* name) {
  Napi::Value v = o.Get(name);
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string("onednn: field ") + name + " must be a number");
  return v.As<Napi::Number>().Int64Value();
}

bool boolField(const Napi::Object& o, const char* name) {
  Napi::Value v = o.Get(name);
  return v.IsBoolean() && v.As<Napi::Boolean>().Value();
}

// An optional integer field (absent or undefined: `fallback`).
int64_t intFieldOr(const Napi::Object& o, const char* name, int64_t fallback) {
  return o.Get(name).IsUndefined() ? fallback : intField(o, name);
}

// A Float32Array argument's data pointer, checked to hold at least `need` floats.
float* floats(const Napi::CallbackInfo& info, size_t index, size_t need, const char* what) {
  Napi::Env env = info.Env();
  if (index >= info.Length() || !info[index].IsTypedArray())
    throw Napi::TypeError::New(env, std::string("onednn: ") + what + " must be a Float32Array");
  Napi::TypedArray t = info[index].As<Napi::TypedArray>();
  if (t.TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(env, std::string("onednn: ") + what + " must be a Float32Array");
  Napi::Float32Array f = t.As<Napi::Float32Array>();
  if (f.ElementLength() < need)
    throw Napi::RangeError::New(env, std::string("onednn: ") + what + " must hold " + std::to_string(need) +
                                         " floats, got " + std::to_string(f.ElementLength()));
  return f.Data();
}

size_t elementsOf(const memory::dims& d) {
  size_t n = 1;
  for (auto v : d) n *= static_cast<size_t>(v);
  return n;
}

// Rethrows a oneDNN error as a JS error naming the primitive.
[[noreturn]] void rethrow(Napi::Env env, const char* what, const dnnl::error& e) {
  throw Napi::Error::New(env, std::string("onednn: ") + what + ": " + e.what() + " (status " + std::to_string(e.status) + ")");
}

enum class ConvKind { Forward, BackwardData, BackwardWeights };

// One conv-family primitive over fixed shapes. run(a, b, out[, bias]):
//   forward:          a = x [N,H,W,Ci],  b = w [kh,kw,Ci,Co], out = y  [N,OH,OW,Co]
//   backward data:    a = dy,            b = w,               out = dx [N,H,W,Ci]
//   backward weights: a = x,             b = dy,              out = dw [kh,kw,Ci,Co]
// (with G groups the filter is [kh,kw,Ci/G,Co]).
class Conv : public Napi::ObjectWrap<Conv> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Conv", {InstanceMethod("run", &Conv::Run), InstanceAccessor("impl", &Conv::Impl, nullptr)});
  }

  explicit Conv(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Conv>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "onednn: Conv needs a geometry object");
    Napi::Object g = info[0].As<Napi::Object>();
    std::string kind = g.Get("kind").ToString().Utf8Value();
    if (kind == "forward") kind_ = ConvKind::Forward;
    else if (kind == "backwardData") kind_ = ConvKind::BackwardData;
    else if (kind == "backwardWeights") kind_ = ConvKind::BackwardWeights;
    else throw Napi::TypeError::New(env, "onednn: kind must be forward, backwardData or backwardWeights, got " + kind);
    const int64_t n = intField(g, "batch"), h = intField(g, "inH"), w = intField(g, "inW"), ci = intField(g, "inC");
    const int64_t oh = intField(g, "outH"), ow = intField(g, "outW"), co = intField(g, "outC");
    const int64_t kh = intField(g, "kh"), kw = intField(g, "kw");
    const int64_t groups = intFieldOr(g, "groups", 1);
    if (groups < 1 || ci % groups != 0 || co % groups != 0)
      throw Napi::RangeError::New(env, "onednn: groups (" + std::to_string(groups) + ") must divide inC (" + std::to_string(ci) +
                                           ") and outC (" + std::to_string(co) + ")");
    const memory::dims strides = {intField(g, "sh"), intField(g, "sw")};
    const memory::dims dilates = {intField(g, "dh") - 1, intField(g, "dw") - 1};
    const memory::dims padL = {intField(g, "pt"), intField(g, "pl")};
    const memory::dims padR = {intField(g, "pb"), intField(g, "pr")};
    threads_ = static_cast<int>(intField(g, "threads"));
    const bool bias = boolField(g, "bias");
    const bool relu = boolField(g, "relu");
    if (threads_ < 1) throw Napi::RangeError::New(env, "onednn: threads must be at least 1");
    if ((bias || relu) && kind_ != ConvKind::Forward) throw Napi::TypeError::New(env, "onednn: bias and relu apply to the forward conv only");

    const memory::dims xDims = {n, ci, h, w}, yDims = {n, co, oh, ow};
    const memory::dims wDims = groups == 1 ? memory::dims{co, ci, kh, kw} : memory::dims{groups, co / groups, ci / groups, kh, kw};
    xSize_ = elementsOf(xDims);
    ySize_ = elementsOf(yDims);
    wSize_ = elementsOf(wDims);
    hasBias_ = bias;
    biasSize_ = static_cast<size_t>(co);
    const memory::desc xMd(xDims, dt::f32, tag::nhwc), yMd(yDims, dt::f32, tag::nhwc);
    const memory::desc wUser(wDims, dt::f32, groups == 1 ? tag::hwio : tag::hwigo), wAny(wDims, dt::f32, tag::any);
    const memory::desc bMd({co}, dt::f32, tag::x);
    auto& eng = cpuEngine();
    omp_set_num_threads(threads_);
    try {
      if (kind_ == ConvKind::Forward) {
        dnnl::primitive_attr attr;
        if (relu) {
          dnnl::post_ops ops;
          ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
          attr.set_post_ops(ops);
        }
        auto d = bias ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, xMd, wAny,
                                                        bMd, yMd, strides, dilates, padL, padR)
                      : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, xMd, wAny,
                                                        yMd, strides, dilates, padL, padR);
        dnnl::convolution_forward::primitive_desc pd(d, attr, eng);
        impl_ = pd.impl_info_str();
        prim_ = dnnl::convolution_forward(pd);
        weightsFromUser(pd.weights_desc(), wUser);
        aMem_ = memory(xMd, eng, DNNL_MEMORY_NONE);
        outMem_ = memory(yMd, eng, DNNL_MEMORY_NONE);
        if (bias) biasMem_ = memory(bMd, eng, DNNL_MEMORY_NONE);
      } else {
        dnnl::convolution_forward::desc fd(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, xMd, wAny, yMd, strides,
                                           dilates, padL, padR);
        dnnl::convolution_forward::primitive_desc hint(fd, eng);
        if (kind_ == ConvKind::BackwardData) {
          dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, xMd, wAny, yMd, strides, dilates, padL, padR);
          dnnl::convolution_backward_data::primitive_desc pd(d, eng, hint);
          impl_ = pd.impl_info_str();
          prim_ = dnnl::convolution_backward_data(pd);
          weightsFromUser(pd.weights_desc(), wUser);
          aMem_ = memory(yMd, eng, DNNL_MEMORY_NONE);
          outMem_ = memory(xMd, eng, DNNL_MEMORY_NONE);
        } else {
          dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, xMd, wAny, yMd, strides, dilates, padL, padR);
          dnnl::convolution_backward_weights::primitive_desc pd(d, eng, hint);
          impl_ = pd.impl_info_str();
          prim_ = dnnl::convolution_backward_weights(pd);
          aMem_ = memory(xMd, eng, DNNL_MEMORY_NONE);
          bMem_ = memory(yMd, eng, DNNL_MEMORY_NONE);
          outMem_ = memory(wUser, eng, DNNL_MEMORY_NONE);
          if (pd.diff_weights_desc() != wUser) {
            // The gradient is computed in oneDNN's layout and reordered into the caller's HWIO array.
            internal_ = memory(pd.diff_weights_desc(), eng);
            reorder_ = dnnl::reorder(internal_, outMem_);
          }
        }
      }
    } catch (const dnnl::error& e) {
      rethrow(env, "creating a convolution", e);
    }
  }

 private:
  // The filter operand: the caller's HWIO array, reordered per run when oneDNN chose another layout.
  void weightsFromUser(const memory::desc& chosen, const memory::desc& user) {
    auto& eng = cpuEngine();
    bMem_ = memory(user, eng, DNNL_MEMORY_NONE);
    if (chosen != user) {
      internal_ = memory(chosen, eng);
      reorder_ = dnnl::reorder(bMem_, internal_);
    }
  }

  Napi::Value Impl(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), impl_); }

  Napi::Value Run(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    size_t aSize, bSize, outSize;
    switch (kind_) {
      case ConvKind::Forward: aSize = xSize_, bSize = wSize_, outSize = ySize_; break;
      case ConvKind::BackwardData: aSize = ySize_, bSize = wSize_, outSize = xSize_; break;
      default: aSize = xSize_, bSize = ySize_, outSize = wSize_; break;
    }
    aMem_.set_data_handle(floats(info, 0, aSize, "a"));
    bMem_.set_data_handle(floats(info, 1, bSize, "b"));
    outMem_.set_data_handle(floats(info, 2, outSize, "out"));
    if (hasBias_) biasMem_.set_data_handle(floats(info, 3, biasSize_, "bias"));
    auto& s = cpuStream();
    omp_set_num_threads(threads_);
    try {
      switch (kind_) {
        case ConvKind::Forward: {
          const memory& w = reorder_ ? internal_ : bMem_;
          if (reorder_) reorder_.execute(s, bMem_, internal_);
          std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, aMem_}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, outMem_}};
          if (hasBias_) args[DNNL_ARG_BIAS] = biasMem_;
          prim_.execute(s, args);
          break;
        }
        case ConvKind::BackwardData: {
          const memory& w = reorder_ ? internal_ : bMem_;
          if (reorder_) reorder_.execute(s, bMem_, internal_);
          prim_.execute(s, {{DNNL_ARG_DIFF_DST, aMem_}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DIFF_SRC, outMem_}});
          break;
        }
        case ConvKind::BackwardWeights: {
          const memory& dw = reorder_ ? internal_ : outMem_;
          prim_.execute(s, {{DNNL_ARG_SRC, aMem_}, {DNNL_ARG_DIFF_DST, bMem_}, {DNNL_ARG_DIFF_WEIGHTS, dw}});
          if (reorder_) reorder_.execute(s, internal_, outMem_);
          break;
        }
      }
      s.wait();
    } catch (const dnnl::error& e) {
      rethrow(env, "running a convolution", e);
    }
    return env.Undefined();
  }

  ConvKind kind_ = ConvKind::Forward;
  int threads_ = 1;
  bool hasBias_ = false;
  size_t xSize_ = 0, ySize_ = 0, wSize_ = 0, biasSize_ = 0;
  std::string impl_;
  dnnl::primitive prim_;
  dnnl::reorder reorder_;
  memory aMem_, bMem_, outMem_, biasMem_, internal_;
};

// C[…, M, N] = A[…, M, K] · B[…, K, N], row-major, batch axes broadcast (size 1 repeats), as one
// oneDNN matmul primitive. The shapes are given with equal rank (leading 1s added by the caller).
class Matmul : public Napi::ObjectWrap<Matmul> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Matmul", {InstanceMethod("run", &Matmul::Run), InstanceAccessor("impl", &Matmul::Impl, nullptr)});
  }

  explicit Matmul(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Matmul>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 4 || !info[0].IsArray() || !info[1].IsArray() || !info[2].IsArray())
      throw Napi::TypeError::New(env, "onednn: Matmul(aShape, bShape, cShape, threads)");
    auto dimsOf = [&](Napi::Value v) {
      Napi::Array a = v.As<Napi::Array>();
      memory::dims d;
      for (uint32_t i = 0; i < a.Length(); i++) d.push_back(a.Get(i).As<Napi::Number>().Int64Value());
      return d;
    };
    const memory::dims ad = dimsOf(info[0]), bd = dimsOf(info[1]), cd = dimsOf(info[2]);
    threads_ = info[3].As<Napi::Number>().Int32Value();
    if (ad.size() != cd.size() || bd.size() != cd.size() || cd.size() < 2 || cd.size() > 6)
      throw Napi::TypeError::New(env, "onednn: matmul shapes must have one rank between 2 and 6");
    aSize_ = elementsOf(ad);
    bSize_ = elementsOf(bd);
    cSize_ = elementsOf(cd);
    auto plain = [](const memory::dims& d) {
      memory::dims strides(d.size());
      int64_t s = 1;
      for (size_t i = d.size(); i-- > 0;) {
        strides[i] = s;
        s *= d[i];
      }
      return memory::desc(d, dt::f32, strides);
    };
    auto& eng = cpuEngine();
    omp_set_num_threads(threads_);
    try {
      dnnl::matmul::desc d(plain(ad), plain(bd), plain(cd));
      dnnl::matmul::primitive_desc pd(d, eng);
      impl_ = pd.impl_info_str();
      prim_ = dnnl::matmul(pd);
      aMem_ = memory(pd.src_desc(), eng, DNNL_MEMORY_NONE);
      bMem_ = memory(pd.weights_desc(), eng, DNNL_MEMORY_NONE);
      cMem_ = memory(pd.dst_desc(), eng, DNNL_MEMORY_NONE);
    } catch (const dnnl::error& e) {
      rethrow(env, "creating a matmul", e);
    }
  }

 private:
  Napi::Value Impl(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), impl_); }

  Napi::Value Run(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    aMem_.set_data_handle(floats(info, 0, aSize_, "a"));
    bMem_.set_data_handle(floats(info, 1, bSize_, "b"));
    cMem_.set_data_handle(floats(info, 2, cSize_, "c"));
    auto& s = cpuStream();
    omp_set_num_threads(threads_);
    try {
      prim_.execute(s, {{DNNL_ARG_SRC, aMem_}, {DNNL_ARG_WEIGHTS, bMem_}, {DNNL_ARG_DST, cMem_}});
      s.wait();
    } catch (const dnnl::error& e) {
      rethrow(env, "running a matmul", e);
    }
    return env.Undefined();
  }

  int threads_ = 1;
  size_t aSize_ = 0, bSize_ = 0, cSize_ = 0;
  std::string impl_;
  dnnl::primitive prim_;
  memory aMem_, bMem_, cMem_;
};

Napi::Value Version(const Napi::CallbackInfo& info) {
  const dnnl_version_t* v = dnnl_version();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("major", v->major);
  o.Set("minor", v->minor);
  o.Set("patch", v->patch);
  o.Set("hash", v->hash == nullptr ? "" : v->hash);
  o.Set("cpuRuntime", v->cpu_runtime == DNNL_RUNTIME_OMP ? "omp" : "other");
  return o;
}

Napi::Value Isa(const Napi::CallbackInfo& info) {
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::sse41: return Napi::String::New(info.Env(), "sse41");
    case dnnl::cpu_isa::avx: return Napi::String::New(info.Env(), "avx");
    case dnnl::cpu_isa::avx2: return Napi::String::New(info.Env(), "avx2");
    case dnnl::cpu_isa::avx512_core: return Napi::String::New(info.Env(), "avx512_core");
    case dnnl::cpu_isa::avx512_core_vnni: return Napi::String::New(info.Env(), "avx512_core_vnni");
    case dnnl::cpu_isa::avx512_core_bf16: return Napi::String::New(info.Env(), "avx512_core_bf16");
    case dnnl::cpu_isa::avx512_core_amx: return Napi::String::New(info.Env(), "avx512_core_amx");
    default: return Napi::String::New(info.Env(), "other");
  }
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Conv", Conv::Init(env));
  exports.Set("Matmul", Matmul::Init(env));
  exports.Set("version", Napi::Function::New(env, Version));
  exports.Set("isa", Napi::Function::New(env, Isa));
  return exports;
}

}  // namespace

NODE_API_MODULE(graft_onednn, Init)
